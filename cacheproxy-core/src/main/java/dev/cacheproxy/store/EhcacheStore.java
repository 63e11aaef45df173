package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.StoredResponse;
import java.util.List;
import java.util.Objects;
import org.ehcache.Cache;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ExpiryPolicyBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.EntryUnit;
import org.ehcache.config.units.MemoryUnit;

/**
 * The default {@link CacheStore}: Ehcache 3 with a heap tier for the hottest keys and an off-heap tier,
 * sized in bytes, for the rest. Entries are written in cacheproxy's own versioned binary format.
 *
 * <p>Thread safe. Writes to one key are compare-and-swap on its variant list, so concurrent writers
 * never lose each other's variants nor leave a mixed entry.
 */
public final class EhcacheStore implements CacheStore {

    private static final String CACHE_ALIAS = "cacheproxy";
    /** A compare-and-swap that keeps losing means the key is hot; skipping one write is harmless. */
    private static final int MAX_WRITE_ATTEMPTS = 16;

    private final CacheManager cacheManager;
    private final Cache<String, StoredVariants> cache;
    private final int maxVariantsPerKey;

    private EhcacheStore(Builder builder) {
        this.maxVariantsPerKey = builder.maxVariantsPerKey;
        this.cacheManager = CacheManagerBuilder.newCacheManagerBuilder().build(true);
        this.cache = cacheManager.createCache(CACHE_ALIAS,
                CacheConfigurationBuilder.newCacheConfigurationBuilder(String.class, StoredVariants.class,
                                ResourcePoolsBuilder.newResourcePoolsBuilder()
                                        .heap(builder.heapEntries, EntryUnit.ENTRIES)
                                        .offheap(builder.offHeapMegabytes, MemoryUnit.MB))
                        .withValueSerializer(new StoredVariantsCodec())
                        // Freshness decides reuse; Ehcache only evicts under pressure.
                        .withExpiry(ExpiryPolicyBuilder.noExpiration())
                        .build());
    }

    /** A builder with the defaults: 10,000 keys on heap, 256 MiB off heap, 16 variants per key. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<StoredResponse> variants(CacheKey key) {
        try {
            StoredVariants variants = cache.get(key.uri());
            return variants == null ? List.of() : variants.responses();
        } catch (RuntimeException fault) {
            throw new CacheStoreException("reading " + key + " failed", fault);
        }
    }

    @Override
    public void store(CacheKey key, StoredResponse response) {
        Objects.requireNonNull(response, "response");
        try {
            for (int attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
                StoredVariants current = cache.get(key.uri());
                if (current == null) {
                    if (cache.putIfAbsent(key.uri(), new StoredVariants(List.of(response))) == null) {
                        return;
                    }
                } else if (cache.replace(key.uri(), current, current.with(response, maxVariantsPerKey))) {
                    return;
                }
            }
            throw new CacheStoreException("storing " + key + " lost " + MAX_WRITE_ATTEMPTS + " races to other writers");
        } catch (CacheStoreException lostRaces) {
            throw lostRaces;
        } catch (RuntimeException fault) {
            throw new CacheStoreException("storing " + key + " failed", fault);
        }
    }

    @Override
    public void remove(CacheKey key) {
        try {
            cache.remove(key.uri());
        } catch (RuntimeException fault) {
            throw new CacheStoreException("removing " + key + " failed", fault);
        }
    }

    @Override
    public void clear() {
        try {
            cache.clear();
        } catch (RuntimeException fault) {
            throw new CacheStoreException("clearing the cache failed", fault);
        }
    }

    @Override
    public void close() {
        cacheManager.close();
    }

    /** Sizes an {@link EhcacheStore}. Not thread safe. */
    public static final class Builder {
        private long heapEntries = 10_000;
        private long offHeapMegabytes = 256;
        private int maxVariantsPerKey = 16;

        private Builder() {
        }

        /** How many keys the heap tier holds; the hottest are kept there as objects. */
        public Builder heapEntries(long entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("heap tier needs at least one entry, got " + entries);
            }
            this.heapEntries = entries;
            return this;
        }

        /** The size of the off-heap tier, in whole mebibytes (at least 1). */
        public Builder offHeapMegabytes(long megabytes) {
            if (megabytes < 1) {
                throw new IllegalArgumentException("off-heap tier needs at least 1 MiB, got " + megabytes);
            }
            this.offHeapMegabytes = megabytes;
            return this;
        }

        /** How many {@code Vary} variants one URI may have; the oldest goes first. */
        public Builder maxVariantsPerKey(int variants) {
            if (variants < 1) {
                throw new IllegalArgumentException("at least one variant per key, got " + variants);
            }
            this.maxVariantsPerKey = variants;
            return this;
        }

        public EhcacheStore build() {
            return new EhcacheStore(this);
        }
    }
}
