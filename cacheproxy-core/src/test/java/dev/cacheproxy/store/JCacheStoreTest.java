package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JCache store on Ehcache's JCache provider: the contract every store passes, and its own rules. */
final class JCacheStoreTest extends CacheStoreContract {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final AtomicInteger CACHES = new AtomicInteger();

    private static CacheManager cacheManager;

    @BeforeAll
    static void startProvider() {
        CachingProvider provider = Caching.getCachingProvider("org.ehcache.jsr107.EhcacheCachingProvider");
        cacheManager = provider.getCacheManager(provider.getDefaultURI(), JCacheStoreTest.class.getClassLoader());
    }

    @AfterAll
    static void stopProvider() {
        cacheManager.close();
    }

    /** The cache under the store of the current test. */
    private Cache<String, byte[]> cache;

    @Override
    protected CacheStore newStore() {
        cache = newCache();
        return JCacheStore.using(cache).build();
    }

    /** One flipped bit in the last byte of the entry's body, which its checksum covers. */
    @Override
    protected boolean damage(dev.cacheproxy.api.CacheKey key) {
        byte[] bytes = cache.get(key.value());
        bytes[bytes.length - 1] ^= 1;
        cache.put(key.value(), bytes);
        return true;
    }

    @Override
    protected Optional<CacheStore> newStoreWithFailedBackend() {
        Cache<String, byte[]> cache = newCache();
        JCacheStore store = JCacheStore.using(cache).build();
        cache.close();
        return Optional.of(store);
    }

    @Test
    void anUnreadableValueIsDroppedAndNeverServedAndTheNextWriteReplacesIt() {
        Cache<String, byte[]> cache = newCache();
        try (JCacheStore damaged = JCacheStore.using(cache).build()) {
            damaged.store(key("good"), response("gzip", "good", T0));
            byte[] bytes = StoredVariantsCodec.encode(new StoredVariants(List.of(response("gzip", "soon bad", T0))));
            bytes[bytes.length - 1] ^= 1; // one flipped bit in the body
            cache.put(key("bad").value(), bytes);

            assertThrows(CacheStoreException.class, () -> damaged.variants(key("bad")), "reported as a store fault");
            assertEquals(List.of(), damaged.variants(key("bad")), "and dropped");
            assertEquals(null, cache.get(key("bad").value()), "dropped");
            assertEquals("good", damaged.variants(key("good")).get(0).body().utf8());

            cache.put(key("bad").value(), bytes);
            damaged.store(key("bad"), response("br", "healthy again", T0));
            assertEquals(List.of("healthy again"), damaged.variants(key("bad")).stream().map(r -> r.body().utf8()).toList());
        }
    }

    @Test
    void theOldestVariantGoesWhenAKeyHasTooMany() {
        try (JCacheStore twoVariants = JCacheStore.using(newCache()).maxVariantsPerKey(2).build()) {
            twoVariants.store(key("k"), response("a", "first", T0));
            twoVariants.store(key("k"), response("b", "second", T0.plusSeconds(1)));
            twoVariants.store(key("k"), response("c", "third", T0.plusSeconds(2)));

            assertEquals(List.of("second", "third"), twoVariants.variants(key("k")).stream().map(v -> v.body().utf8()).toList());
        }
    }

    @Test
    void withATagIndexAPurgeThroughOneStoreFindsWhatAnotherStoredOnTheSameCaches() {
        Cache<String, byte[]> shared = newCache();
        Cache<String, String> index = cacheManager.createCache("jcache-tags-" + CACHES.incrementAndGet(), JCacheStore.tagIndexConfiguration());
        try (JCacheStore first = JCacheStore.using(shared).tagIndex(index).build();
             JCacheStore second = JCacheStore.using(shared).tagIndex(index).build()) {
            first.store(key("p1"), tagged(response("gzip", "one", T0), "product-7"));
            second.store(key("p2"), tagged(response("gzip", "two", T0), "product-7 all"));
            second.store(key("p2"), tagged(response("br", "two again", T0), "product-7"));
            first.store(key("p3"), tagged(response("gzip", "three", T0), "all"));

            assertEquals(key("p1").value() + "\n" + key("p2").value(), index.get("product-7"));
            assertEquals(2, second.removeTagged("product-7"));

            assertEquals(List.of(), first.variants(key("p1")));
            assertEquals(List.of(), first.variants(key("p2")));
            assertEquals("three", first.variants(key("p3")).get(0).body().utf8());
            assertEquals(null, index.get("product-7"));
            first.clear();
            assertEquals(null, index.get("all"));
        }
    }

    private static Cache<String, byte[]> newCache() {
        return cacheManager.createCache("jcache-store-" + CACHES.incrementAndGet(), JCacheStore.cacheConfiguration());
    }
}
