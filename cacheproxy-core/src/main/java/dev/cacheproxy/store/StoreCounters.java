package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheStoreStatistics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counters behind {@link CacheStoreStatistics}, updated without locks by the store's operations
 * and by the cache library's entry events. Thread safe.
 */
final class StoreCounters {

    private static final Logger LOG = LoggerFactory.getLogger(StoreCounters.class);

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    /** Where a persistent disk tier's entry count is kept for the next start, if the store has one. */
    private volatile DiskTierLedger ledger;

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void created(StoredVariants value) {
        long count = entries.incrementAndGet();
        bytes.addAndGet(size(value));
        keep(count);
    }

    void updated(StoredVariants oldValue, StoredVariants newValue) {
        bytes.addAndGet(size(newValue) - sizeOrAverage(oldValue));
    }

    void removed(StoredVariants oldValue) {
        bytes.addAndGet(-sizeOrAverage(oldValue));
        keep(entries.decrementAndGet());
    }

    void evicted(StoredVariants oldValue) {
        evictions.increment();
        removed(oldValue);
    }

    /**
     * An entry could not be read and was dropped. The first one is logged at WARN, the rest at DEBUG:
     * a damaged disk shows once in the log and fully in {@link CacheStoreStatistics#corruptEntries()}.
     */
    void corrupt(String key) {
        if (corrupt.incrementAndGet() == 1) {
            LOG.warn("dropped the unreadable cache entry for {} (damaged, or written by another format version); "
                    + "further ones are counted in the store's statistics and logged at DEBUG", key);
        } else {
            LOG.debug("dropped the unreadable cache entry for {}", key);
        }
    }

    /** Forgets entries and bytes, after the whole cache was cleared (which raises no entry events). */
    void cleared() {
        entries.set(0);
        bytes.set(0);
        keep(0);
    }

    /**
     * Entries of a disk tier that were lost when the store opened (Ehcache drops a tier that was not
     * closed cleanly): counted as corrupt entries, dropped and never served. Logged by the caller.
     */
    void droppedAtOpen(long lost) {
        corrupt.addAndGet(lost);
    }

    /** Keeps the entry count in this ledger from now on, for a start after a crash to report what it lost. */
    void keepIn(DiskTierLedger diskLedger) {
        this.ledger = diskLedger;
        diskLedger.write(Math.max(0, entries.get()));
    }

    /** Writes the entry count to the ledger now, e.g. before the disk tier is closed. */
    void flushLedger() {
        DiskTierLedger diskLedger = ledger;
        if (diskLedger != null) {
            diskLedger.write(Math.max(0, entries.get()));
        }
    }

    private void keep(long count) {
        DiskTierLedger diskLedger = ledger;
        if (diskLedger != null) {
            diskLedger.count(Math.max(0, count));
        }
    }

    CacheStoreStatistics snapshot() {
        // Entry and byte counts can dip below zero for a moment when a removal's event overtakes its creation's.
        return new CacheStoreStatistics(Math.max(0, entries.get()), Math.max(0, bytes.get()), hits.sum(), misses.sum(),
                evictions.sum(), corrupt.get());
    }

    private static long size(StoredVariants value) {
        return value == null || value.isUnreadable() ? 0 : StoredVariantsCodec.encodedSize(value);
    }

    /**
     * The size of a value that is going, or the average entry's when it cannot be read: Ehcache may hand
     * an evicted off-heap value to its listeners after its memory was reused, and then it fails its checksum.
     */
    private long sizeOrAverage(StoredVariants value) {
        if (value != null && !value.isUnreadable()) {
            return StoredVariantsCodec.encodedSize(value);
        }
        long count = entries.get();
        return count <= 0 ? 0 : bytes.get() / count;
    }
}
