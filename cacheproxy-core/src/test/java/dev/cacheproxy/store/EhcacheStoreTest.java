package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.CacheStoreStatistics;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.ehcache.Cache;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.MemoryUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Ehcache store: the contract every store passes, then its tiers, persistence, faults and statistics. */
final class EhcacheStoreTest extends CacheStoreContract {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path directory;

    @Override
    protected CacheStore newStore() {
        return EhcacheStore.builder().heapSize(1L << 20).offHeapMegabytes(64).build();
    }

    @Override
    protected Optional<CacheStore> newStoreWithFailedBackend() {
        CacheManager manager = CacheManagerBuilder.newCacheManagerBuilder()
                .withCache("mine", EhcacheStore.cacheConfiguration(ResourcePoolsBuilder.heap(10)))
                .build(true);
        EhcacheStore store = EhcacheStore.using(manager.getCache("mine", String.class, StoredVariants.class)).build();
        manager.close();
        return Optional.of(store);
    }

    @Test
    void theOldestVariantGoesWhenAKeyHasTooMany() {
        try (EhcacheStore twoVariants = EhcacheStore.builder().offHeapMegabytes(4).maxVariantsPerKey(2).build()) {
            twoVariants.store(key("k"), response("a", "first", T0));
            twoVariants.store(key("k"), response("b", "second", T0.plusSeconds(1)));
            twoVariants.store(key("k"), response("c", "third", T0.plusSeconds(2)));

            assertEquals(List.of("second", "third"), twoVariants.variants(key("k")).stream().map(v -> v.body().utf8()).toList());
        }
    }

    @Test
    void aHotEntryIsServedFromTheHeapTierWithoutBeingDecodedAgain() {
        store.store(key("hot"), response("gzip", "hot", T0));
        store.variants(key("hot")); // read once: marked, not yet kept

        StoredResponse first = store.variants(key("hot")).get(0);
        StoredResponse second = store.variants(key("hot")).get(0);

        assertSame(first, second, "the heap tier hands out the object it decoded once");
    }

    @Test
    void theCodecReadsBackExactlyWhatItWrote() {
        StoredVariants variants = new StoredVariants(List.of(response("gzip", "zipped \u00e9 \ud83d\ude00", T0),
                response("br", "", T0.plusNanos(5))));

        assertEquals(variants, StoredVariantsCodec.decode(ByteBuffer.wrap(StoredVariantsCodec.encode(variants))));
        assertEquals(StoredVariantsCodec.encode(variants).length, StoredVariantsCodec.encodedSize(variants));
    }

    @Test
    void entriesReadFromTheirBytesShareTheStringsOfTheirFieldsAndReadNonAsciiValuesExactly() {
        StoredResponse plain = response("gzip", "one", T0);
        StoredResponse other = new StoredResponse(new ResponseHead(200, HeaderFields.of("Content-Type", "text/plain",
                "X-Name", "caf\u00e9 \ud83d\ude00", "X-Long", "x".repeat(200))), dev.cacheproxy.api.Body.ofUtf8("two"), "", T0, T0,
                Duration.ofSeconds(60));

        StoredVariants first = StoredVariantsCodec.decode(ByteBuffer.wrap(StoredVariantsCodec.encode(new StoredVariants(List.of(plain)))));
        StoredVariants second = StoredVariantsCodec.decode(ByteBuffer.wrap(StoredVariantsCodec.encode(new StoredVariants(List.of(plain)))));
        StoredVariants direct = StoredVariantsCodec.decode(ByteBuffer.allocateDirect(4096)
                .put(StoredVariantsCodec.encode(new StoredVariants(List.of(other)))).flip());

        assertEquals(List.of(plain), first.responses());
        assertSame(first.responses().get(0).headers().lines().get(0), second.responses().get(0).headers().lines().get(0),
                "the same field line, decoded once");
        assertEquals(other.headers(), direct.responses().get(0).headers());
        assertEquals("two", direct.responses().get(0).body().utf8());
    }

    @Test
    void anEntryFromAnotherFormatVersionDamagedOrTruncatedIsRefused() {
        byte[] bytes = StoredVariantsCodec.encode(new StoredVariants(List.of(response("gzip", "zipped", T0))));
        StoredVariantsCodec codec = new StoredVariantsCodec();

        byte[] otherVersion = bytes.clone();
        otherVersion[4] = 99;
        byte[] flippedBodyBit = bytes.clone();
        flippedBodyBit[bytes.length - 2] ^= 0x10;
        for (byte[] unreadable : List.of(otherVersion, flippedBodyBit, java.util.Arrays.copyOf(bytes, bytes.length - 3),
                new byte[] {1, 2, 3, 4, 5, 6, 7})) {
            assertThrows(StoredVariantsCodec.UnreadableEntryException.class, () -> StoredVariantsCodec.decode(ByteBuffer.wrap(unreadable)));
            assertSame(StoredVariants.UNREADABLE, codec.read(ByteBuffer.wrap(unreadable)));
        }
    }

    @Test
    void aCorruptEntryIsDroppedCountedAndNeverServedAndNoOtherEntryIsLost() {
        // The serializer damages one byte of any entry whose body says POISON, as a bad disk sector would.
        CacheConfigurationBuilder<String, StoredVariants> config = CacheConfigurationBuilder.newCacheConfigurationBuilder(
                        String.class, StoredVariants.class, ResourcePoolsBuilder.heap(100).offheap(8, MemoryUnit.MB))
                .withValueSerializer(new DamagingCodec());
        try (CacheManager manager = CacheManagerBuilder.newCacheManagerBuilder().withCache("c", config).build(true);
             EhcacheStore store = EhcacheStore.using(manager.getCache("c", String.class, StoredVariants.class)).build()) {
            for (int i = 0; i < 20; i++) {
                store.store(key("good-" + i), response("gzip", "good " + i, T0));
            }
            store.store(key("bad"), response("gzip", "POISON", T0));

            CacheStoreException fault = assertThrows(CacheStoreException.class, () -> store.variants(key("bad")),
                    "reported, so that the engine counts and logs it as a store fault");
            assertTrue(fault.getMessage().contains("unreadable"), fault.getMessage());
            assertEquals(List.of(), store.variants(key("bad")), "and dropped: the next read is a plain miss");
            assertEquals(1, store.statistics().corruptEntries());
            assertEquals(null, manager.getCache("c", String.class, StoredVariants.class).get(key("bad").value()), "dropped");
            for (int i = 0; i < 20; i++) {
                assertEquals("good " + i, store.variants(key("good-" + i)).get(0).body().utf8());
            }
            store.store(key("bad"), response("gzip", "healthy again", T0));
            assertEquals("healthy again", store.variants(key("bad")).get(0).body().utf8());
        }
    }

    @Test
    void storedResponsesSurviveARestartAndTheirAgeCountsTheTimeBetween() {
        ManualClock clock = new ManualClock(T0);
        URI page = URI.create("http://origin.test/persisted");
        try (CachingEngine engine = CachingEngine.builder().clock(clock).store(persistentStore()).build()) {
            ExchangePlan.ToOrigin miss = assertInstanceOf(ExchangePlan.ToOrigin.class, engine.onClientRequest(get(page)));
            ExchangePlan.Relay relay = assertInstanceOf(ExchangePlan.Relay.class, engine.onOriginResponse(miss,
                    new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=600", "Date", httpDate(clock.instant())))));
            relay.capture().append(ByteBuffer.wrap("kept on disk".getBytes(StandardCharsets.UTF_8)));
            relay.capture().complete();
            clock.advance(Duration.ofSeconds(60));
        }
        clock.advance(Duration.ofSeconds(30)); // the restart

        try (CachingEngine engine = CachingEngine.builder().clock(clock).store(persistentStore()).build()) {
            ExchangePlan.Answer hit = assertInstanceOf(ExchangePlan.Answer.class, engine.onClientRequest(get(page)));
            assertEquals("kept on disk", hit.body().utf8());
            assertEquals("90", hit.response().headers().first("Age").orElseThrow());
            assertEquals(1, ((EhcacheStore) engine.store()).statistics().entries(), "what the disk held is counted");
        }
    }

    @Test
    void aDirectoryInUseGivesAClearErrorNamingIt() {
        try (EhcacheStore first = persistentStore()) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, this::persistentStore);

            assertTrue(refused.getMessage().contains(directory.toAbsolutePath().toString()), refused.getMessage());
            assertTrue(refused.getMessage().contains("in use"), refused.getMessage());
            first.store(key("still-works"), response("gzip", "yes", T0));
            assertEquals(1, first.variants(key("still-works")).size());
        }
    }

    @Test
    void anEightMebibyteBodyFitsTheDefaultOffHeapTierAndADiskTier() {
        byte[] body = randomBody(8, 8 * 1024 * 1024);
        for (EhcacheStore.Builder builder : List.of(EhcacheStore.builder(),
                EhcacheStore.builder().persistentDirectory(directory).diskSize(128L << 20))) {
            try (EhcacheStore defaults = builder.build()) {
                defaults.store(key("big"), response("gzip", body, T0));

                assertArrayEquals(body, defaults.variants(key("big")).get(0).body().toByteArray());
            }
        }
    }

    @Test
    void aDiskDirectoryWhoseFilesWereOverwrittenBetweenRunsOpensAndServesNothingDamaged() throws IOException {
        try (EhcacheStore first = persistentStore()) {
            for (int i = 0; i < 50; i++) {
                first.store(key("page-" + i), response("gzip", randomBody(i, 20_000), T0));
            }
        }
        List<Path> files = filesUnder(directory);
        assertTrue(files.size() >= 3, files.toString());
        Random random = new Random(7);
        for (Path file : files) {
            // Overwrite a stretch of each file, as a bad disk or a stray process would.
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
                long length = channel.size();
                if (length == 0) {
                    continue;
                }
                byte[] garbage = new byte[(int) Math.min(length, 64 * 1024)];
                random.nextBytes(garbage);
                channel.write(ByteBuffer.wrap(garbage), length > garbage.length ? random.nextInt((int) Math.min(length - garbage.length, 1 << 20)) : 0);
            }
        }

        try (EhcacheStore second = persistentStore()) {
            for (int i = 0; i < 50; i++) {
                try {
                    List<StoredResponse> found = second.variants(key("page-" + i));
                    if (!found.isEmpty()) {
                        assertArrayEquals(randomBody(i, 20_000), found.get(0).body().toByteArray(), "never a damaged body");
                    }
                } catch (CacheStoreException dropped) {
                    assertTrue(dropped.getMessage().contains("unreadable"), dropped.getMessage());
                }
            }
            second.store(key("after"), response("gzip", "taking writes", T0));
            assertEquals("taking writes", second.variants(key("after")).get(0).body().utf8());
        }
        try (EhcacheStore third = persistentStore()) {
            assertEquals("taking writes", third.variants(key("after")).get(0).body().utf8(), "and persisting them again");
        }
    }

    @Test
    void aDiskTierWhoseDataFileWasTruncatedBetweenRunsStartsEmptyAndOpens() throws IOException {
        try (EhcacheStore first = persistentStore()) {
            for (int i = 0; i < 50; i++) {
                first.store(key("page-" + i), response("gzip", randomBody(i, 20_000), T0));
            }
        }
        for (Path file : filesUnder(directory)) {
            if (file.getFileName().toString().equals(DiskTierFiles.DATA_FILE)) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(channel.size() / 3);
                }
            }
        }

        try (EhcacheStore second = persistentStore()) {
            for (int i = 0; i < 50; i++) {
                assertEquals(List.of(), second.variants(key("page-" + i)));
            }
            second.store(key("after"), response("gzip", "taking writes", T0));
            assertEquals("taking writes", second.variants(key("after")).get(0).body().utf8());
        }
    }

    @Test
    void aDiskDirectoryLeftWithoutACleanCloseOpensAndCountsWhatItLost() throws IOException {
        Path copy = Files.createDirectories(directory.resolve("crashed"));
        try (EhcacheStore first = EhcacheStore.builder().offHeapMegabytes(4).persistentDirectory(copy).diskSize(16L << 20).build()) {
            first.store(key("page"), response("gzip", "before the crash", T0));
            first.store(key("other"), response("gzip", "also before the crash", T0));
            // A process killed here leaves the directory as it is now: copy it while the store is open.
            Path crashed = Files.createDirectories(directory.resolve("copy"));
            for (Path file : filesUnder(copy)) {
                Path target = crashed.resolve(copy.relativize(file).toString());
                Files.createDirectories(target.getParent());
                if (!file.getFileName().toString().equals(".lock")) {
                    Files.copy(file, target);
                }
            }
            try (EhcacheStore afterCrash = EhcacheStore.builder().offHeapMegabytes(4).persistentDirectory(crashed)
                    .diskSize(16L << 20).build()) {
                assertEquals(List.of(), afterCrash.variants(key("page")), "Ehcache starts an uncleanly closed tier empty");
                assertEquals(2, afterCrash.statistics().corruptEntries(), "what it lost is counted");
                afterCrash.store(key("page"), response("gzip", "after", T0));
                assertEquals("after", afterCrash.variants(key("page")).get(0).body().utf8());
            }
        }
    }

    @Test
    void theDiskTierIsGivenItsWholeSpaceWhenTheStoreOpens() throws IOException, InterruptedException {
        try (EhcacheStore open = persistentStore()) {
            assertTrue(open.largestBody().isPresent());
            Path data = filesUnder(directory).stream()
                    .filter(file -> file.getFileName().toString().equals(DiskTierFiles.DATA_FILE)).findFirst().orElseThrow();
            assertEquals(16L << 20, Files.size(data), "the file ends where the tier does, so Ehcache never extends it");
            Process du = new ProcessBuilder("du", "--block-size=1", data.toString()).redirectErrorStream(true).start();
            String output = new String(du.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            org.junit.jupiter.api.Assumptions.assumeTrue(du.waitFor() == 0, "du is not available: " + output);
            long allocated = Long.parseLong(output.split("\\s+")[0]);
            assertTrue(allocated >= 16L << 20, "no holes: " + allocated + " bytes allocated");
        }
    }

    @Test
    void aTierThatCannotHoldAnEntryThrowsInsteadOfLoggingAndDroppingIt() {
        try (CacheManager manager = CacheManagerBuilder.newCacheManagerBuilder()
                .withCache("small", EhcacheStore.cacheConfiguration(ResourcePoolsBuilder.heap(10).offheap(1, MemoryUnit.MB)))
                .build(true)) {
            Cache<String, StoredVariants> small = manager.getCache("small", String.class, StoredVariants.class);
            StoredVariants twoMebibytes = new StoredVariants(List.of(response("gzip", randomBody(1, 2 << 20), T0)));

            RuntimeException refused = assertThrows(RuntimeException.class, () -> small.put("big", twoMebibytes));
            assertTrue(refused.getMessage().contains("too large"), refused.getMessage());
            assertEquals(null, small.get("big"));
        }
    }

    @Test
    void anEntryIsKeptWithinAQuarterOfItsTierDroppingOlderVariantsFirst() {
        try (EhcacheStore store = EhcacheStore.builder().offHeapMegabytes(8).build()) {
            assertEquals((2L << 20) - EhcacheTiers.HEAD_ALLOWANCE, store.largestBody().getAsLong());

            CacheStoreException tooBig = assertThrows(CacheStoreException.class,
                    () -> store.store(key("huge"), response("gzip", randomBody(1, (2 << 20) + 1), T0)));
            assertTrue(tooBig.getMessage().contains("does not fit"), tooBig.getMessage());

            int large = 900 * 1024;
            store.store(key("k"), response("a", randomBody(1, large), T0));
            store.store(key("k"), response("b", randomBody(2, large), T0.plusSeconds(1)));
            store.store(key("k"), response("c", randomBody(3, large), T0.plusSeconds(2)));
            assertEquals(List.of("accept-encoding=b", "accept-encoding=c"),
                    store.variants(key("k")).stream().map(StoredResponse::variantKey).toList());
        }
        try (EhcacheStore withDisk = EhcacheStore.builder().offHeapMegabytes(4).persistentDirectory(directory)
                .diskSize(16L << 20).build()) {
            assertEquals((4L << 20) - EhcacheTiers.HEAD_ALLOWANCE, withDisk.largestBody().getAsLong(), "a quarter of the disk tier");
        }
    }

    @Test
    void theDefaultStoreIsSizedFromTheJvmsDirectMemory() {
        long limit = EhcacheStore.Builder.directMemoryLimit();
        long offHeap = EhcacheStore.Builder.defaultOffHeapSize();

        assertTrue(offHeap <= EhcacheStore.Builder.DEFAULT_OFF_HEAP_BYTES, Long.toString(offHeap));
        assertTrue(offHeap <= Math.max(1 << 20, limit / 4), offHeap + " of " + limit);
    }

    private static List<Path> filesUnder(Path root) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aFullOffHeapTierEvictsKeepsServingAndCountsEvictions() {
        try (EhcacheStore small = EhcacheStore.builder().heapEntries(2).offHeapMegabytes(4).build()) {
            fillAndCheck(small);
        }
    }

    @Test
    void aFullDiskTierEvictsKeepsServingAndCountsEvictions() {
        try (EhcacheStore small = EhcacheStore.builder().heapEntries(2).offHeapMegabytes(4).persistentDirectory(directory)
                .diskSize(8 * 1024 * 1024).build()) {
            fillAndCheck(small);
        }
    }

    @Test
    void newLargeEntriesInAFullSmallDiskTierAreNotEvictedByEachOther() {
        // Six 2 MiB entries take 4 MiB blocks each on disk: every round after the first fills the 24 MiB tier.
        try (EhcacheStore small = EhcacheStore.builder().offHeapMegabytes(8).persistentDirectory(directory)
                .diskSize(24L << 20).build()) {
            for (String round : List.of("a", "b", "c", "d")) {
                for (int i = 0; i < 6; i++) {
                    small.store(key(round + "-large-" + i), response("gzip", randomBody(i, 2 << 20), T0));
                }
                for (int i = 0; i < 100; i++) {
                    small.store(key(round + "-small-" + i), response("gzip", randomBody(i, 4096), T0));
                }
                int large = 0;
                for (int i = 0; i < 6; i++) {
                    List<StoredResponse> found = small.variants(key(round + "-large-" + i));
                    if (!found.isEmpty()) {
                        assertArrayEquals(randomBody(i, 2 << 20), found.get(0).body().toByteArray());
                        large++;
                    }
                }
                // With Ehcache's 16 disk segments, one to three of the six were left (0 through the proxy).
                assertTrue(large >= 4, "round " + round + ": " + large + " of 6 new large entries kept, " + small.statistics());
            }
        }
    }

    @Test
    void aDiskTierIsSplitIntoFewerSegmentsTheSmallerItIs() {
        assertEquals(1, EhcacheTiers.diskSegments(24L << 20));
        assertEquals(1, EhcacheTiers.diskSegments(511L << 20));
        assertEquals(2, EhcacheTiers.diskSegments(1L << 30));
        assertEquals(4, EhcacheTiers.diskSegments(3L << 30));
        assertEquals(16, EhcacheTiers.diskSegments(64L << 30));
    }

    @Test
    void theTagIndexIsRebuiltWhenAPersistentStoreOpensAgain() {
        try (EhcacheStore first = persistentStore()) {
            first.store(key("p1"), tagged(response("gzip", "one", T0), "product-7"));
            first.store(key("p2"), tagged(response("gzip", "two", T0), "product-8"));
        }
        try (EhcacheStore reopened = persistentStore()) {
            assertEquals(1, reopened.removeTagged("product-7"));

            assertEquals(List.of(), reopened.variants(key("p1")));
            assertEquals("two", reopened.variants(key("p2")).get(0).body().utf8());
        }
    }

    @Test
    void aKeyStoredAgainWithOtherTagsIsNotPurgedByItsOldOnes() {
        EhcacheStore tagged = (EhcacheStore) store;
        tagged.store(key("retagged"), tagged(response("gzip", "old", T0), "product-7"));
        tagged.store(key("retagged"), tagged(response("gzip", "new", T0.plusSeconds(1)), "product-8"));

        assertEquals(0, tagged.removeTagged("product-7"));
        assertEquals("new", tagged.variants(key("retagged")).get(0).body().utf8());
    }

    @Test
    void clearingTheStoreEmptiesTheTagIndex() {
        EhcacheStore tagged = (EhcacheStore) store;
        tagged.store(key("p1"), tagged(response("gzip", "one", T0), "product-7"));
        tagged.clear();
        tagged.store(key("p1"), response("gzip", "untagged now", T0));

        assertEquals(0, tagged.removeTagged("product-7"));
        assertEquals("untagged now", tagged.variants(key("p1")).get(0).body().utf8());
    }

    @Test
    void statisticsCountEntriesBytesHitsAndMisses() {
        store.store(key("s1"), response("gzip", "one", T0));
        store.store(key("s1"), response("br", "two", T0));
        store.store(key("s2"), response("gzip", "three", T0));
        store.variants(key("s1"));
        store.variants(key("s2"));
        store.variants(key("none"));

        CacheStoreStatistics statistics = ((EhcacheStore) store).statistics();
        assertEquals(2, statistics.entries(), "one entry per key, with all its variants");
        assertTrue(statistics.bytes() > 3 * 100 && statistics.bytes() < 3 * 1000, "bytes " + statistics.bytes());
        assertEquals(2, statistics.hits());
        assertEquals(1, statistics.misses());
        assertEquals(0, statistics.evictions());

        store.remove(key("s1"));
        assertEquals(1, ((EhcacheStore) store).statistics().entries());
        store.clear();
        assertEquals(0, ((EhcacheStore) store).statistics().bytes());
    }

    @Test
    void aCacheOfYourOwnCreatedFromTheStoresConfigurationIsTakenWithoutNamingItsValueType() {
        try (CacheManager manager = CacheManagerBuilder.newCacheManagerBuilder().build(true)) {
            Cache<String, ?> cache = manager.createCache("typed-by-us", EhcacheStore.cacheConfiguration(ResourcePoolsBuilder.heap(10)));
            try (EhcacheStore store = EhcacheStore.using(cache).build()) {
                store.store(key("own"), response("gzip", "mine", T0));
                assertEquals("mine", store.variants(key("own")).get(0).body().utf8());
            }
            Cache<String, String> strings = manager.createCache("strings",
                    CacheConfigurationBuilder.newCacheConfigurationBuilder(String.class, String.class, ResourcePoolsBuilder.heap(10)));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> EhcacheStore.using(strings));
            assertTrue(refused.getMessage().contains("EhcacheStore.cacheConfiguration"), refused.getMessage());
        }
    }

    @Test
    void aCacheOfYourOwnIsUsedAndStaysOpenWhenTheStoreCloses() {
        try (CacheManager manager = CacheManagerBuilder.newCacheManagerBuilder()
                .withCache("mine", EhcacheStore.cacheConfiguration(ResourcePoolsBuilder.heap(100).offheap(4, MemoryUnit.MB)))
                .build(true)) {
            Cache<String, StoredVariants> cache = manager.getCache("mine", String.class, StoredVariants.class);
            try (EhcacheStore fromCache = EhcacheStore.using(cache).build()) {
                fromCache.store(key("own"), response("gzip", "mine", T0));
            }
            try (EhcacheStore fromManager = EhcacheStore.fromCacheManager(manager, "mine").build()) {
                assertEquals("mine", fromManager.variants(key("own")).get(0).body().utf8());
                assertEquals(1, fromManager.statistics().entries(), "what the cache held is counted");
            }
            assertEquals("mine", cache.get(key("own").value()).responses().get(0).body().utf8());
            assertThrows(IllegalArgumentException.class, () -> EhcacheStore.fromCacheManager(manager, "absent").build());
            assertThrows(IllegalStateException.class, () -> EhcacheStore.using(cache).offHeapMegabytes(8).build());
        }
    }

    @Test
    void anEhcacheXmlFileConfiguresTheCache() {
        try (EhcacheStore fromXml = EhcacheStore.fromXml(getClass().getResource("ehcache-test.xml")).build()) {
            byte[] body = randomBody(3, 100_000);
            fromXml.store(key("xml"), response("gzip", body, T0));

            assertArrayEquals(body, fromXml.variants(key("xml")).get(0).body().toByteArray());
        }
        assertThrows(IllegalArgumentException.class, () -> EhcacheStore.fromXml(getClass().getResource("ehcache-test.xml"), "absent").build());
    }

    @Test
    void tierSizesEhcacheCannotBuildAreRefusedWithTheReason() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> EhcacheStore.builder().offHeapMegabytes(64).persistentDirectory(directory).diskSize(32 * 1024 * 1024).build());
        assertTrue(refused.getMessage().contains("must be larger than the off-heap tier"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EhcacheStore.builder().heapSize(0));
        assertThrows(IllegalArgumentException.class, () -> EhcacheStore.builder().heapEntries(0));
    }

    private EhcacheStore persistentStore() {
        return EhcacheStore.builder().offHeapMegabytes(4).persistentDirectory(directory).diskSize(16 * 1024 * 1024).build();
    }

    /** Writes far more than fits; every write is taken or skipped quietly and every read is whole or a miss. */
    private static void fillAndCheck(EhcacheStore small) {
        int count = 600;
        for (int i = 0; i < count; i++) {
            small.store(key("fill-" + i), response("gzip", randomBody(i, 32 * 1024), T0));
        }
        int found = 0;
        for (int i = 0; i < count; i++) {
            List<StoredResponse> variants = small.variants(key("fill-" + i));
            if (!variants.isEmpty()) {
                found++;
                assertArrayEquals(randomBody(i, 32 * 1024), variants.get(0).body().toByteArray());
            }
        }
        CacheStoreStatistics statistics = small.statistics();
        assertTrue(found > 0 && found < count, "found " + found);
        assertTrue(statistics.evictions() > 0, statistics.toString());
        assertEquals(found, statistics.entries(), statistics.toString());
        small.store(key("after"), response("gzip", "still taking writes", T0));
        assertEquals("still taking writes", small.variants(key("after")).get(0).body().utf8());
    }

    private static RequestHead get(URI uri) {
        return new RequestHead("GET", uri, HeaderFields.empty());
    }

    private static String httpDate(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }
}
