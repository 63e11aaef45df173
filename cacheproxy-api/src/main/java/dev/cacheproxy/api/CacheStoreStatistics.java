package dev.cacheproxy.api;

/**
 * A snapshot of what a {@link CacheStore} holds and how it has been used since it was opened.
 *
 * <p>Counts are best effort: a store updates them without locking, so a snapshot taken while other
 * threads write may be a few operations behind. Every count is zero or more.
 *
 * @param entries        the stored entries: one per {@link CacheKey}, holding all of that key's variants
 * @param bytes          the approximate size of the stored entries in the store's own encoding
 * @param hits           reads that found at least one stored variant for their key
 * @param misses         reads that found none
 * @param evictions      entries the store dropped to stay within its size budget, each with all its variants
 * @param corruptEntries entries that could not be read (damaged, or written by another format
 *                       version) and were dropped instead of served
 */
public record CacheStoreStatistics(long entries, long bytes, long hits, long misses, long evictions, long corruptEntries) {

    /**
     * Rejects an invalid component with an exception naming it.
     *
     * @param entries        the stored entries: one per {@link CacheKey}, holding all of that key's variants
     * @param bytes          the approximate size of the stored entries in the store's own encoding
     * @param hits           reads that found at least one stored variant for their key
     * @param misses         reads that found none
     * @param evictions      entries the store dropped to stay within its size budget, each with all its variants
     * @param corruptEntries entries that could not be read (damaged, or written by another format
     *                       version) and were dropped instead of served
     */
    public CacheStoreStatistics {
        if (entries < 0 || bytes < 0 || hits < 0 || misses < 0 || evictions < 0 || corruptEntries < 0) {
            throw new IllegalArgumentException("statistics must not be negative: entries=" + entries + ", bytes=" + bytes
                    + ", hits=" + hits + ", misses=" + misses + ", evictions=" + evictions + ", corruptEntries=" + corruptEntries);
        }
    }
}
