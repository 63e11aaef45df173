package dev.cacheproxy.store;

import java.nio.file.Path;
import java.util.Optional;
import org.ehcache.CacheManager;
import org.ehcache.StateTransitionException;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ExpiryPolicyBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.EntryUnit;
import org.ehcache.config.units.MemoryUnit;

/**
 * The tiers of a cache that {@link EhcacheStore} creates and owns: heap by entries, off-heap and
 * optional persistent disk by bytes.
 *
 * @param heapEntries  keys kept on heap as objects, the hottest ones
 * @param offHeapBytes the off-heap tier, the main one
 * @param disk         the directory and size of a persistent disk tier, if any
 */
record EhcacheTiers(long heapEntries, long offHeapBytes, Optional<DiskTier> disk) {

    /** The alias of the cache in a cache manager that cacheproxy creates. */
    static final String CACHE_ALIAS = "cacheproxy";

    /**
     * @param directory where the disk tier lives; one store at a time may use it
     * @param bytes     its size
     */
    record DiskTier(Path directory, long bytes) {
    }

    EhcacheTiers {
        // Ehcache requires each lower tier to be larger than the one above it.
        disk.ifPresent(tier -> {
            if (tier.bytes() <= offHeapBytes) {
                throw new IllegalArgumentException("the disk tier (" + tier.bytes() + " bytes) must be larger than the off-heap tier ("
                        + offHeapBytes + " bytes)");
            }
        });
    }

    /** The resource pools of these tiers, for a configuration of one's own. */
    ResourcePoolsBuilder resourcePools() {
        ResourcePoolsBuilder pools = ResourcePoolsBuilder.newResourcePoolsBuilder()
                .heap(heapEntries, EntryUnit.ENTRIES)
                .offheap(offHeapBytes, MemoryUnit.B);
        if (disk.isPresent()) {
            pools = pools.disk(disk.get().bytes(), MemoryUnit.B, true);
        }
        return pools;
    }

    /** A configuration with our codec; freshness decides reuse, so Ehcache only evicts under pressure. */
    static CacheConfigurationBuilder<String, StoredVariants> cacheConfiguration(ResourcePoolsBuilder pools) {
        return CacheConfigurationBuilder.newCacheConfigurationBuilder(String.class, StoredVariants.class, pools)
                .withValueSerializer(new StoredVariantsCodec())
                .withExpiry(ExpiryPolicyBuilder.noExpiration());
    }

    /**
     * Starts a cache manager holding one cache with these tiers. A persistent disk tier finds what an
     * earlier store left in its directory.
     *
     * @throws IllegalStateException if the directory is in use by another store or process, or cannot be used
     */
    CacheManager open() {
        CacheManagerBuilder<CacheManager> builder = CacheManagerBuilder.newCacheManagerBuilder();
        CacheManager manager;
        if (disk.isPresent()) {
            Path directory = disk.get().directory();
            manager = builder.with(CacheManagerBuilder.persistence(directory.toFile())).build();
            try {
                manager.init();
            } catch (StateTransitionException cannotStart) {
                throw new IllegalStateException("cannot open the cache directory " + directory.toAbsolutePath()
                        + ": it is in use by another cacheproxy store or process, or is not a writable directory ("
                        + rootCause(cannotStart).getMessage() + ")", cannotStart);
            }
        } else {
            manager = builder.build(true);
        }
        try {
            manager.createCache(CACHE_ALIAS, cacheConfiguration(resourcePools()).build());
        } catch (RuntimeException cannotCreate) {
            manager.close();
            throw new IllegalStateException("cannot create the cache with " + this + ": " + rootCause(cannotCreate).getMessage(),
                    cannotCreate);
        }
        return manager;
    }

    private static Throwable rootCause(Throwable fault) {
        Throwable cause = fault;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
