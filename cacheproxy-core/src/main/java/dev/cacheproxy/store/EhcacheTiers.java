package dev.cacheproxy.store;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.ehcache.CacheManager;
import org.ehcache.PersistentCacheManager;
import org.ehcache.StateTransitionException;
import org.ehcache.config.CacheConfiguration;
import org.ehcache.config.ResourcePools;
import org.ehcache.config.ResourceType;
import org.ehcache.config.SizedResourcePool;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ExpiryPolicyBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.EntryUnit;
import org.ehcache.config.units.MemoryUnit;
import org.ehcache.impl.config.store.disk.OffHeapDiskStoreConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ehcache tiers of a cache that {@link EhcacheStore} creates and owns: an optional heap tier by
 * entries, off-heap and optional persistent disk by bytes. (The store's own heap tier, by bytes, is in
 * front of these: {@link HeapTier}.)
 *
 * @param heapEntries  keys Ehcache keeps on heap as objects; zero for none (only without a disk tier)
 * @param offHeapBytes the off-heap tier, the main one
 * @param disk         the directory and size of a persistent disk tier, if any
 */
record EhcacheTiers(long heapEntries, long offHeapBytes, Optional<DiskTier> disk) {

    /** The alias of the cache in a cache manager that cacheproxy creates. */
    static final String CACHE_ALIAS = "cacheproxy";
    /**
     * Room left in an entry for the response's head and our format's framing, beside the largest body.
     * Jetty's default limit on a response head is 8 KiB; a stored entry holds the head once per variant.
     */
    static final long HEAD_ALLOWANCE = 64 * 1024;
    /** Disk bytes per segment of a disk tier ({@link #diskSegments}). */
    static final long DISK_BYTES_PER_SEGMENT = 512L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(EhcacheTiers.class);

    /**
     * @param directory where the disk tier lives; one store at a time may use it
     * @param bytes     its size
     */
    record DiskTier(Path directory, long bytes) {
    }

    /**
     * A started cache manager holding the cache, with what the store keeps of a persistent disk tier.
     *
     * @param manager        the manager, which the store owns
     * @param ledger         where the disk tier's entry count is kept; empty without a disk tier
     * @param droppedEntries entries of a disk tier that could not be recovered and were dropped at start
     */
    record OpenTiers(CacheManager manager, Optional<DiskTierLedger> ledger, long droppedEntries) {
    }

    EhcacheTiers {
        if (heapEntries < 0 || (heapEntries == 0 && disk.isPresent())) {
            // Ehcache puts tiers together only under a heap tier.
            throw new IllegalArgumentException("a disk tier needs an Ehcache heap tier of at least one entry, got " + heapEntries);
        }
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
        ResourcePoolsBuilder pools = ResourcePoolsBuilder.newResourcePoolsBuilder();
        if (heapEntries > 0) {
            pools = pools.heap(heapEntries, EntryUnit.ENTRIES);
        }
        pools = pools.offheap(offHeapBytes, MemoryUnit.B);
        if (disk.isPresent()) {
            pools = pools.disk(disk.get().bytes(), MemoryUnit.B, true);
        }
        return pools;
    }

    /** A configuration with our codec; freshness decides reuse, so Ehcache only evicts under pressure. */
    static CacheConfigurationBuilder<String, StoredVariants> cacheConfiguration(ResourcePoolsBuilder pools) {
        return CacheConfigurationBuilder.newCacheConfigurationBuilder(String.class, StoredVariants.class, pools)
                .withValueSerializer(new StoredVariantsCodec())
                .withResilienceStrategy(ThrowingResilience.class)
                .withExpiry(ExpiryPolicyBuilder.noExpiration());
    }

    /**
     * The cache's configuration: {@link #cacheConfiguration} on these tiers, with a disk tier in
     * {@link #diskSegments} segments.
     */
    CacheConfiguration<String, StoredVariants> configuration() {
        CacheConfigurationBuilder<String, StoredVariants> builder = cacheConfiguration(resourcePools());
        if (disk.isPresent()) {
            builder = builder.withService(new OffHeapDiskStoreConfiguration(diskSegments(disk.get().bytes())));
        }
        return builder.build();
    }

    /**
     * How many segments a disk tier of this size is split into: one per {@value #DISK_BYTES_PER_SEGMENT}
     * bytes, a power of two from 1 to Ehcache's default of 16. Ehcache's disk tier stores each entry in
     * a block of the next power of two (a body of just over 2 MiB takes 4 MiB), in chunks that belong to
     * one segment; a segment that finds no free block empties the newest chunk of every other segment.
     * In a full tier of 24 MiB with 16 segments, new 2 MiB entries then evicted each other: one to three
     * of six were found after a round of writes, against five of six with one segment (measured on
     * Ehcache 3.12, an 8 MiB off-heap tier, six 2 MiB and a hundred 4 KiB entries per round). Fewer
     * segments cost concurrency on disk reads and writes, which a small tier can afford.
     */
    static int diskSegments(long diskBytes) {
        long segments = Math.max(1, Math.min(16, diskBytes / DISK_BYTES_PER_SEGMENT));
        return (int) Long.highestOneBit(segments);
    }

    /**
     * The largest entry a cache with these pools keeps reliably: a quarter of its authoritative tier
     * (where every write goes: disk when it has one, else off-heap). Ehcache keeps an entry whole in one
     * tier, and replacing an entry needs room for the old and the new value at once: measured on Ehcache
     * 3.12, an entry of two fifths of a tier is evicted by its own replacement, one of a third or less is
     * kept. Empty for a cache sized in entries only.
     */
    static OptionalLong largestEntry(ResourcePools pools) {
        for (ResourceType.Core tier : new ResourceType.Core[] {ResourceType.Core.DISK, ResourceType.Core.OFFHEAP}) {
            SizedResourcePool pool = pools.getPoolForResource(tier);
            if (pool != null && pool.getUnit() instanceof MemoryUnit unit) {
                return OptionalLong.of(unit.toBytes(pool.getSize()) / 4);
            }
        }
        return OptionalLong.empty();
    }

    /**
     * Starts a cache manager holding one cache with these tiers. A persistent disk tier finds what an
     * earlier store left in its directory; one that cannot be read (damaged files, another size, not
     * closed cleanly) is started empty and logged with the number of entries lost, so a damaged
     * directory never stops the store from opening. The disk tier's space is reserved before the store
     * is used.
     *
     * @throws IllegalStateException if the directory is in use by another store or process, cannot be
     *                               used, or its file system cannot hold the disk tier
     */
    OpenTiers open() {
        CacheManagerBuilder<CacheManager> builder = CacheManagerBuilder.newCacheManagerBuilder();
        if (disk.isEmpty()) {
            CacheManager manager = builder.build(true);
            createCache(manager);
            return new OpenTiers(manager, Optional.empty(), 0);
        }
        Path directory = disk.get().directory();
        DiskTierFiles files = new DiskTierFiles(directory, disk.get().bytes());
        long dropped = files.checkBeforeOpening();
        PersistentCacheManager manager = builder.with(CacheManagerBuilder.persistence(directory.toFile())).build();
        try {
            manager.init();
        } catch (StateTransitionException cannotStart) {
            throw new IllegalStateException("cannot open the cache directory " + directory.toAbsolutePath()
                    + ": it is in use by another cacheproxy store or process, or is not a writable directory ("
                    + rootCause(cannotStart).getMessage() + ")", cannotStart);
        }
        try {
            manager.createCache(CACHE_ALIAS, configuration());
        } catch (RuntimeException damaged) {
            LOG.warn("the disk tier in {} cannot be read ({}): {} are dropped (counted as corrupt entries) and it starts empty",
                    directory.toAbsolutePath(), rootCause(damaged).toString(), files.lostEntries());
            dropped = files.lastCount();
            try {
                manager.destroyCache(CACHE_ALIAS);
            } catch (Exception cannotDestroy) {
                damaged.addSuppressed(cannotDestroy);
            }
            createCache(manager);
        }
        try {
            files.reserve();
        } catch (RuntimeException cannotReserve) {
            try {
                manager.close();
            } catch (RuntimeException cannotWriteIndex) {
                // On a full file system Ehcache cannot write its index either: the reason to report is the space.
                cannotReserve.addSuppressed(cannotWriteIndex);
            }
            throw cannotReserve;
        }
        return new OpenTiers(manager, Optional.of(new DiskTierLedger(directory)), dropped);
    }

    private void createCache(CacheManager manager) {
        try {
            manager.createCache(CACHE_ALIAS, configuration());
        } catch (RuntimeException cannotCreate) {
            manager.close();
            throw new IllegalStateException("cannot create the cache with " + this + ": " + rootCause(cannotCreate),
                    cannotCreate);
        }
    }

    private static Throwable rootCause(Throwable fault) {
        Throwable cause = fault;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
