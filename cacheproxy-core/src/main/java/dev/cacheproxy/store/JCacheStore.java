package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.StoredResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.EternalExpiryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CacheStore} on a JCache (JSR-107) {@link Cache}, so that any JCache provider can hold the
 * cache: a distributed one (Hazelcast, Infinispan...) lets several proxies share what they store, and
 * an invalidation through one is seen by all.
 *
 * <p>Values are {@code byte[]} in cacheproxy's versioned, checksummed format ({@link StoredVariantsCodec}),
 * which every provider can hold and move between members without knowing our classes; every read
 * decodes. All variants of a URI live under one key. A write merges the new variant into the stored
 * ones atomically on the member that owns the key, with an {@link javax.cache.processor.EntryProcessor};
 * in a distributed cache that processor is sent to the owner with Java serialization, so each member
 * needs cacheproxy-core on its class path (true of members embedded in the proxies).
 *
 * <p>Thread safe. The cache stays the caller's: {@link #close()} does not close it. JCache has no
 * portable entry count, so this store reports no {@linkplain dev.cacheproxy.api.ObservableStore statistics};
 * use the provider's own (JCache's {@code CacheStatisticsMXBean}, Hazelcast's metrics...).
 */
public final class JCacheStore implements CacheStore {

    private static final Logger LOG = LoggerFactory.getLogger(JCacheStore.class);

    private final Cache<String, byte[]> cache;
    private final int maxVariantsPerKey;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean corruptLogged = new AtomicBoolean();

    private JCacheStore(Cache<String, byte[]> cache, int maxVariantsPerKey) {
        this.cache = cache;
        this.maxVariantsPerKey = maxVariantsPerKey;
    }

    /** A builder for a store on this cache, which the caller creates, owns and closes. */
    public static Builder using(Cache<String, byte[]> cache) {
        return new Builder(Objects.requireNonNull(cache, "cache"));
    }

    /**
     * A configuration for the cache: {@code String} keys, {@code byte[]} values, no expiry (freshness
     * decides reuse; the provider's eviction bounds the size). Pass it to
     * {@link javax.cache.CacheManager#createCache}.
     */
    public static MutableConfiguration<String, byte[]> cacheConfiguration() {
        return new MutableConfiguration<String, byte[]>()
                .setTypes(String.class, byte[].class)
                .setExpiryPolicyFactory(EternalExpiryPolicy.factoryOf());
    }

    @Override
    public List<StoredResponse> variants(CacheKey key) {
        ensureOpen();
        byte[] stored;
        try {
            stored = cache.get(key.uri());
        } catch (RuntimeException fault) {
            throw new CacheStoreException("reading " + key + " failed", fault);
        }
        if (stored == null) {
            return List.of();
        }
        try {
            return StoredVariantsCodec.decode(ByteBuffer.wrap(stored)).responses();
        } catch (StoredVariantsCodec.UnreadableEntryException unreadable) {
            logUnreadable(key, unreadable);
            try {
                // Unconditional: providers compare byte[] values differently (content, identity), and a
                // good response that another proxy stored in this instant is only a miss more.
                cache.remove(key.uri());
            } catch (RuntimeException fault) {
                throw new CacheStoreException("dropping the unreadable entry of " + key + " failed", fault);
            }
            return List.of();
        }
    }

    @Override
    public void store(CacheKey key, StoredResponse response) {
        Objects.requireNonNull(response, "response");
        ensureOpen();
        byte[] encoded = StoredVariantsCodec.encode(new StoredVariants(List.of(response)));
        try {
            // The first response of a URI needs no merge. Going through putIfAbsent also keeps entry processors
            // away from absent keys, which Ehcache's JCache provider cannot copy by value.
            if (!cache.putIfAbsent(key.uri(), encoded)) {
                cache.invoke(key.uri(), new MergeVariant(encoded, maxVariantsPerKey));
            }
        } catch (RuntimeException fault) {
            throw new CacheStoreException("storing " + key + " failed", fault);
        }
    }

    @Override
    public void remove(CacheKey key) {
        ensureOpen();
        try {
            cache.remove(key.uri());
        } catch (RuntimeException fault) {
            throw new CacheStoreException("removing " + key + " failed", fault);
        }
    }

    /** Removes everything in the cache, on every member of a distributed one. */
    @Override
    public void clear() {
        ensureOpen();
        try {
            cache.clear();
        } catch (RuntimeException fault) {
            throw new CacheStoreException("clearing the cache failed", fault);
        }
    }

    /** Stops using the cache, which stays open for its owner. Idempotent. */
    @Override
    public void close() {
        closed.set(true);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the store is closed");
        }
    }

    /** The first unreadable entry at WARN, the rest at DEBUG: a damaged cache shows once, not per request. */
    private void logUnreadable(CacheKey key, RuntimeException unreadable) {
        if (corruptLogged.compareAndSet(false, true)) {
            LOG.warn("dropped the unreadable cache entry for {} ({}); further ones are logged at DEBUG", key, unreadable.getMessage());
        } else {
            LOG.debug("dropped the unreadable cache entry for {} ({})", key, unreadable.getMessage());
        }
    }

    /** Configures a {@link JCacheStore}. Not thread safe. */
    public static final class Builder {
        private final Cache<String, byte[]> cache;
        private int maxVariantsPerKey = 16;

        private Builder(Cache<String, byte[]> cache) {
            this.cache = cache;
        }

        /** How many {@code Vary} variants one URI may have; the oldest goes first. Default 16. */
        public Builder maxVariantsPerKey(int variants) {
            if (variants < 1) {
                throw new IllegalArgumentException("at least one variant per key, got " + variants);
            }
            this.maxVariantsPerKey = variants;
            return this;
        }

        public JCacheStore build() {
            return new JCacheStore(cache, maxVariantsPerKey);
        }
    }
}
