package dev.cacheproxy.jetty;

import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.store.CacheStoreContract;
import dev.cacheproxy.store.JCacheStore;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link JCacheStore} on a two-member Hazelcast cluster passes the contract every store passes. The
 * store talks to member 1 and about half of the keys live on member 0, so writes and reads cross the wire.
 */
final class HazelcastJCacheStoreTest extends CacheStoreContract {

    private static final AtomicInteger CACHES = new AtomicInteger();
    private static HazelcastMembers cluster;
    private static CacheManager cacheManager;

    @BeforeAll
    static void startCluster() {
        cluster = new HazelcastMembers(2);
        cacheManager = cluster.cacheManager(1);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    protected CacheStore newStore() {
        return JCacheStore.using(newCache()).build();
    }

    @Override
    protected Optional<CacheStore> newStoreWithFailedBackend() {
        Cache<String, byte[]> cache = newCache();
        JCacheStore store = JCacheStore.using(cache).build();
        cache.close();
        return Optional.of(store);
    }

    private static Cache<String, byte[]> newCache() {
        return cacheManager.createCache("contract-" + CACHES.incrementAndGet(), JCacheStore.cacheConfiguration());
    }
}
