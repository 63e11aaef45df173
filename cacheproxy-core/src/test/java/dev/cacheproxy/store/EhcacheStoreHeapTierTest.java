package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.StoredResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.MemoryUnit;
import org.junit.jupiter.api.Test;

/**
 * The store's heap tier: sized by the bytes its entries hold, and never serving what the Ehcache tiers
 * behind it no longer hold (purges by URL and tag, a clear, a replaced variant, evictions, faults).
 */
final class EhcacheStoreHeapTierTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void aMebibyteOfHeapTierHoldsHundredsOfOneKibibyteEntries() {
        try (EhcacheStore store = EhcacheStore.builder().heapSize(1L << 20).offHeapMegabytes(16).build()) {
            int count = 600;
            for (int i = 0; i < count; i++) {
                store.store(key("small-" + i), CacheStoreContract.response("gzip", CacheStoreContract.randomBody(i, 1024), T0));
            }
            for (int i = 0; i < count; i++) {
                store.variants(key("small-" + i)); // the first read only marks the key as read
            }
            List<StoredResponse> first = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                first.add(store.variants(key("small-" + i)).get(0));
            }
            int servedFromHeap = 0;
            for (int i = 0; i < count; i++) {
                if (store.variants(key("small-" + i)).get(0) == first.get(i)) {
                    servedFromHeap++;
                }
            }
            // 600 entries of about 1.5 KiB each (body, fields, allowances) fit 1 MiB; counted as entries of 32 KiB it held 32.
            assertEquals(count, servedFromHeap, "every entry read a third time comes from the heap tier, decoded twice");
            assertTrue(store.heapTier().weightedBytes() <= 1L << 20, Long.toString(store.heapTier().weightedBytes()));
        }
    }

    @Test
    void aKeyReadOnceFromOffHeapStaysOutOfTheHeapTierAndEntersOnItsSecondRead() {
        try (EhcacheStore store = heapTiered()) {
            store.store(key("k"), CacheStoreContract.response("gzip", "body", T0));

            StoredResponse first = store.variants(key("k")).get(0);
            assertEquals(0, store.heapTier().entryCount(), "read once: not on the heap");
            StoredResponse second = store.variants(key("k")).get(0);

            assertNotSame(first, second, "decoded again: the first read did not keep it");
            assertEquals(1, store.heapTier().entryCount());
            assertSame(second, store.variants(key("k")).get(0), "the second read put it on the heap");
        }
    }

    @Test
    void aWorkingSetLargerThanTheWindowReadEvenlyDoesNotChurnThroughTheHeapTier() {
        try (EhcacheStore store = EhcacheStore.builder().heapSize(4L << 20).offHeapMegabytes(32).build()) {
            int keys = 4 * RecentReads.WINDOW;
            for (int i = 0; i < keys; i++) {
                store.store(key("even-" + i), CacheStoreContract.response("gzip", "body " + i, T0));
            }
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < keys; i++) {
                    store.variants(key("even-" + i));
                }
            }
            // Each key's second read comes 4 windows after its first: only keys sharing a bit with a
            // recently read key get in (a few per cent); admitting every read would have held thousands.
            long held = store.heapTier().entryCount();
            assertTrue(held < keys / 10, held + " of " + keys + " keys taken onto the heap");
        }
    }

    @Test
    void aBodyLargerThanTheHeapBudgetIsServedFromOffHeapWithoutPushingSmallEntriesOut() {
        try (EhcacheStore store = EhcacheStore.builder().heapSize(256 * 1024).offHeapMegabytes(16).build()) {
            store.store(key("small"), CacheStoreContract.response("gzip", "small", T0));
            store.variants(key("small"));
            StoredResponse small = store.variants(key("small")).get(0);
            byte[] oneMebibyte = CacheStoreContract.randomBody(7, 1 << 20);
            store.store(key("large"), CacheStoreContract.response("gzip", oneMebibyte, T0));

            StoredResponse large = store.variants(key("large")).get(0);
            assertEquals(ByteBuffer.wrap(oneMebibyte), large.body().asByteBuffer());
            assertNotSame(large, store.variants(key("large")).get(0), "too heavy for the heap tier: decoded from off-heap each time");
            assertNotSame(large, store.variants(key("large")).get(0), "also when read again");
            assertSame(small, store.variants(key("small")).get(0), "the small entry kept its place");
        }
    }

    @Test
    void theHeapTierWeighsEntriesByTheirBodiesAndFields() {
        StoredVariants oneKibibyte = new StoredVariants(List.of(CacheStoreContract.response("gzip", new byte[1024], T0)));
        StoredVariants oneMebibyte = new StoredVariants(List.of(CacheStoreContract.response("gzip", new byte[1 << 20], T0)));

        long small = HeapTier.weight("http://h/a", oneKibibyte);
        long large = HeapTier.weight("http://h/a", oneMebibyte);

        assertTrue(small > 1024 && small < 2048, Long.toString(small));
        assertEquals((1 << 20) - 1024 + "1048576".length() - "1024".length(), large - small, "the bodies and their Content-Length");
    }

    @Test
    void aPurgedUrlIsNeverServedFromTheHeapTier() {
        try (EhcacheStore store = heapTiered()) {
            store.store(key("page"), CacheStoreContract.response("gzip", "before", T0));
            heldOnHeap(store, key("page"));

            store.remove(key("page"));

            assertEquals(List.of(), store.variants(key("page")));
        }
    }

    @Test
    void aPurgedTagIsNeverServedFromTheHeapTier() {
        try (EhcacheStore store = heapTiered()) {
            store.store(key("p1"), CacheStoreContract.tagged(CacheStoreContract.response("gzip", "one", T0), "product-7"));
            store.store(key("p2"), CacheStoreContract.tagged(CacheStoreContract.response("gzip", "two", T0), "product-8"));
            heldOnHeap(store, key("p1"));
            heldOnHeap(store, key("p2"));

            assertEquals(1, store.removeTagged("product-7"));

            assertEquals(List.of(), store.variants(key("p1")));
            assertEquals("two", store.variants(key("p2")).get(0).body().utf8());
        }
    }

    @Test
    void aClearedStoreServesNothingFromTheHeapTier() {
        try (EhcacheStore store = heapTiered()) {
            store.store(key("a"), CacheStoreContract.response("gzip", "a", T0));
            heldOnHeap(store, key("a"));

            store.clear();

            assertEquals(List.of(), store.variants(key("a")));
        }
    }

    @Test
    void aReplacedVariantIsServedNewAtOnceAndItsSiblingsStay() {
        try (EhcacheStore store = heapTiered()) {
            store.store(key("v"), CacheStoreContract.response("gzip", "old gzip", T0));
            store.store(key("v"), CacheStoreContract.response("br", "br", T0));
            heldOnHeap(store, key("v"));

            store.store(key("v"), CacheStoreContract.response("gzip", "new gzip", T0.plusSeconds(1)));

            assertEquals(List.of("br", "new gzip"), store.variants(key("v")).stream().map(r -> r.body().utf8()).toList());
        }
    }

    @Test
    void anEntryEvictedFromOffHeapLeavesTheHeapTierSoThatATagPurgeCannotMissIt() {
        // The off-heap tier of 4 MiB takes entries of up to 1 MiB and holds few of them; the heap tier would hold all.
        try (EhcacheStore store = EhcacheStore.builder().heapSize(64L << 20).offHeapMegabytes(4).build()) {
            store.store(key("first"), CacheStoreContract.tagged(CacheStoreContract.response("gzip", "first", T0), "old"));
            heldOnHeap(store, key("first"));

            for (int i = 0; i < 64 && store.statistics().evictions() == 0; i++) {
                store.store(key("fill-" + i), CacheStoreContract.response("gzip", CacheStoreContract.randomBody(i, 256 * 1024), T0));
            }
            for (int i = 0; i < 64; i++) {
                store.store(key("more-" + i), CacheStoreContract.response("gzip", CacheStoreContract.randomBody(i, 256 * 1024), T0));
            }
            assertTrue(store.statistics().evictions() > 0, store.statistics().toString());

            List<StoredResponse> found = store.variants(key("first"));
            if (found.isEmpty()) {
                assertEquals(0, store.removeTagged("old"), "evicted, and its tag forgotten with it");
            } else {
                assertEquals(1, store.removeTagged("old"), "still in the tiers, and its tag still known");
                assertEquals(List.of(), store.variants(key("first")));
            }
        }
    }

    @Test
    void aRemovalThatFaultsStillDropsTheKeyFromTheHeapTier() {
        CacheManager manager = applicationsOwnManager();
        try (EhcacheStore store = heapTieredOn(manager)) {
            store.store(key("page"), CacheStoreContract.response("gzip", "page", T0));
            heldOnHeap(store, key("page"));

            manager.close();

            assertThrows(CacheStoreException.class, () -> store.remove(key("page")));
            assertThrows(CacheStoreException.class, () -> store.variants(key("page")),
                    "a read fault, counted by the engine as a miss, rather than the copy the purge meant to remove");
        }
    }

    @Test
    void aWriteThatFaultsDropsTheKeyFromTheHeapTier() {
        CacheManager manager = applicationsOwnManager();
        try (EhcacheStore store = heapTieredOn(manager)) {
            store.store(key("page"), CacheStoreContract.response("gzip", "old", T0));
            heldOnHeap(store, key("page"));

            manager.close();

            assertThrows(CacheStoreException.class, () -> store.store(key("page"), CacheStoreContract.response("gzip", "new", T0)));
            assertThrows(CacheStoreException.class, () -> store.variants(key("page")));
        }
    }

    @Test
    void anUnreadableEntryNeverReachesTheHeapTier() {
        CacheConfigurationBuilder<String, StoredVariants> config = CacheConfigurationBuilder.newCacheConfigurationBuilder(
                        String.class, StoredVariants.class, ResourcePoolsBuilder.newResourcePoolsBuilder().offheap(4, MemoryUnit.MB))
                .withValueSerializer(new DamagingCodec());
        try (CacheManager manager = CacheManagerBuilder.newCacheManagerBuilder().withCache("c", config).build(true);
             EhcacheStore store = EhcacheStore.using(manager.getCache("c", String.class, StoredVariants.class)).heapSize(1L << 20).build()) {
            store.store(key("bad"), CacheStoreContract.response("gzip", "POISON", T0));

            assertThrows(CacheStoreException.class, () -> store.variants(key("bad")));
            assertEquals(List.of(), store.variants(key("bad")));
            assertEquals(0, store.heapTier().entryCount());
        }
    }

    @Test
    void readersRacingWritersAndPurgesNeverSeeAnOlderVersionAfterTheChangeReturned() throws Exception {
        try (EhcacheStore store = heapTiered()) {
            CacheKey hot = key("hot");
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService readers = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> reading = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    reading.add(readers.submit(() -> {
                        while (running.get()) {
                            store.variants(hot);
                        }
                    }));
                }
                for (int version = 0; version < 2_000; version++) {
                    store.store(hot, CacheStoreContract.response("gzip", "version " + version, T0.plusSeconds(version)));
                    List<StoredResponse> read = store.variants(hot);
                    assertEquals("version " + version, read.get(0).body().utf8(), "read right after storing it");
                    if (version % 10 == 0) {
                        store.remove(hot);
                        assertEquals(List.of(), store.variants(hot), "read right after purging it");
                    }
                }
                running.set(false);
                for (Future<?> reader : reading) {
                    reader.get(30, TimeUnit.SECONDS);
                }
            } finally {
                running.set(false);
                readers.shutdownNow();
            }
        }
    }

    @Test
    void aChangeMadeInEhcacheBehindTheStoresBackDropsTheKeyFromTheHeapTier() {
        CacheManager manager = applicationsOwnManager();
        try (EhcacheStore store = heapTieredOn(manager)) {
            store.store(key("page"), CacheStoreContract.response("gzip", "page", T0));
            heldOnHeap(store, key("page"));

            // As an eviction does: Ehcache's entry event, not the store's own removal, must reach the heap tier.
            manager.getCache("mine", String.class, StoredVariants.class).remove(key("page").value());

            assertEquals(List.of(), store.variants(key("page")));
        } finally {
            manager.close();
        }
    }

    @Test
    void aValueReadBeforeAChangeIsNotKeptWhenItArrivesAfterTheChangesInvalidation() {
        HeapTier tier = HeapTier.ofBytes(1L << 20);
        StoredVariants old = new StoredVariants(List.of(CacheStoreContract.response("gzip", "old", T0)));
        long stamp = tier.stamp("k");

        tier.invalidate("k");
        tier.admit("k", old, stamp);

        assertEquals(null, tier.getIfPresent("k"), "the reader saw the stamp move and dropped what it had read");
        tier.admit("k", old, tier.stamp("k"));
        assertSame(old, tier.policyFreeGet("k"));
    }

    @Test
    void heapEntriesRestoresEhcachesOwnHeapTierCountedInEntries() {
        try (EhcacheStore store = EhcacheStore.builder().heapEntries(10).offHeapMegabytes(4).build()) {
            store.store(key("hot"), CacheStoreContract.response("gzip", "hot", T0));

            assertSame(store.variants(key("hot")).get(0), store.variants(key("hot")).get(0), "Ehcache's heap tier, as before");
            assertEquals(0, store.heapTier().maxBytes(), "and none of ours");
        }
    }

    @Test
    void aDiskTierStoreHasTheByteSizedHeapTierInFront(@org.junit.jupiter.api.io.TempDir java.nio.file.Path directory) {
        try (EhcacheStore store = EhcacheStore.builder().heapSize(1L << 20).offHeapMegabytes(4).persistentDirectory(directory)
                .diskSize(16L << 20).build()) {
            store.store(key("d"), CacheStoreContract.response("gzip", "disk", T0));
            StoredResponse first = store.variants(key("d")).get(0);

            assertSame(first, store.variants(key("d")).get(0));
            assertEquals(1L << 20, store.heapTier().maxBytes());
            store.remove(key("d"));
            assertEquals(List.of(), store.variants(key("d")));
        }
    }

    /** A cache manager of the test's own, as an application that already runs Ehcache has, with one cache: "mine". */
    private static CacheManager applicationsOwnManager() {
        return CacheManagerBuilder.newCacheManagerBuilder()
                .withCache("mine", EhcacheStore.cacheConfiguration(ResourcePoolsBuilder.newResourcePoolsBuilder().offheap(4, MemoryUnit.MB)))
                .build(true);
    }

    /** A store on that manager's cache "mine", with a 1 MiB heap tier of ours in front. */
    private static EhcacheStore heapTieredOn(CacheManager manager) {
        return EhcacheStore.using(manager.getCache("mine", String.class, StoredVariants.class)).heapSize(1L << 20).build();
    }

    private static EhcacheStore heapTiered() {
        return EhcacheStore.builder().heapSize(4L << 20).offHeapMegabytes(8).build();
    }

    /** Reads the key three times and checks that the third read came from the heap tier (the second one put it there). */
    private static void heldOnHeap(EhcacheStore store, CacheKey key) {
        store.variants(key);
        StoredResponse first = store.variants(key).get(0);
        assertSame(first, store.variants(key).get(0), "held on the heap tier before the change");
    }

    private static CacheKey key(String path) {
        return CacheKey.of(java.net.URI.create("http://heap-tier.test/" + path));
    }
}
