package dev.cacheproxy.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of what an engine has done since it was built: how requests were answered, what was
 * stored or skipped and why, and how the origin behaved. Every count is zero or more and only grows
 * (except what {@code store} reports about the store's contents).
 *
 * <p>Counts are best effort: they are updated without locking, so a snapshot taken while requests are
 * in flight may be a few events behind. A request is counted once, when it is answered from the cache
 * ({@code hits}) or sent to the origin ({@code misses}); one that waits for another is counted in
 * {@code collapsedWaits} too.
 *
 * @param requests               client requests the engine was asked about
 * @param hits                   requests answered from the cache without the origin (stale ones included)
 * @param misses                 requests sent to the origin (validations included), or answered 504
 *                               because only a stored response was acceptable and none was
 * @param staleServed            stale responses served: under {@code stale-while-revalidate}, {@code
 *                               stale-if-error}, or a client's {@code max-stale}
 * @param revalidatedNotModified validations the origin answered 304: the stored body was served again
 * @param revalidatedModified    validations the origin answered with a new response
 * @param collapsedWaits         requests that waited for the same request already on its way to the origin
 * @param stored                 response bodies written to the store
 * @param skippedTooBig          responses not stored because the body was over the maximum object size
 * @param skippedNotCacheable    responses not stored because the policy said so ({@code no-store},
 *                               {@code private}, no freshness, {@code Vary: *}...)
 * @param skippedIncomplete      responses not stored because the body did not arrive whole
 * @param storeFaults            store operations that failed and were treated as a miss or skipped
 * @param originErrors           requests to the origin that failed: refused, reset, timed out
 * @param originLatency          time from sending a request to the origin to its response head (or failure)
 * @param store                  the store's own statistics, when it is an {@link ObservableStore}
 *                               (entries, bytes, evictions)
 * @param backends               the backends of the pools the proxy balances over, when it reported
 *                               them ({@link ObservableEngine#addBackendReport}); empty otherwise
 */
public record EngineStatistics(
        long requests,
        long hits,
        long misses,
        long staleServed,
        long revalidatedNotModified,
        long revalidatedModified,
        long collapsedWaits,
        long stored,
        long skippedTooBig,
        long skippedNotCacheable,
        long skippedIncomplete,
        long storeFaults,
        long originErrors,
        OriginLatency originLatency,
        Optional<CacheStoreStatistics> store,
        List<BackendStatistics> backends) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param requests               client requests the engine was asked about
     * @param hits                   requests answered from the cache without the origin (stale ones included)
     * @param misses                 requests sent to the origin (validations included), or answered 504
     *                              because only a stored response was acceptable and none was
     * @param staleServed            stale responses served: under {@code stale-while-revalidate}, {@code
     *                              stale-if-error}, or a client's {@code max-stale}
     * @param revalidatedNotModified validations the origin answered 304: the stored body was served again
     * @param revalidatedModified    validations the origin answered with a new response
     * @param collapsedWaits         requests that waited for the same request already on its way to the origin
     * @param stored                 response bodies written to the store
     * @param skippedTooBig          responses not stored because the body was over the maximum object size
     * @param skippedNotCacheable    responses not stored because the policy said so ({@code no-store},
     *                              {@code private}, no freshness, {@code Vary: *}...)
     * @param skippedIncomplete      responses not stored because the body did not arrive whole
     * @param storeFaults            store operations that failed and were treated as a miss or skipped
     * @param originErrors           requests to the origin that failed: refused, reset, timed out
     * @param originLatency          time from sending a request to the origin to its response head (or failure)
     * @param store                  the store's own statistics, when it is an {@link ObservableStore}
     *                              (entries, bytes, evictions)
     * @param backends               the backends of the pools the proxy balances over, when it reported them
     */
    public EngineStatistics {
        Objects.requireNonNull(originLatency, "originLatency");
        Objects.requireNonNull(store, "store");
        backends = List.copyOf(backends);
        long[] counts = {requests, hits, misses, staleServed, revalidatedNotModified, revalidatedModified, collapsedWaits,
                stored, skippedTooBig, skippedNotCacheable, skippedIncomplete, storeFaults, originErrors};
        for (long count : counts) {
            if (count < 0) {
                throw new IllegalArgumentException("statistics must not be negative: " + Arrays.toString(counts));
            }
        }
    }

    /**
     * Statistics without backends: the proxy reported none.
     *
     * @param requests               requests answered
     * @param hits                   answered from the cache
     * @param misses                 sent to the origin
     * @param staleServed            answered with a stale response
     * @param revalidatedNotModified revalidations answered 304
     * @param revalidatedModified    revalidations answered with a new response
     * @param collapsedWaits         requests that waited for another's response
     * @param stored                 responses stored
     * @param skippedTooBig          responses not stored: larger than the limit
     * @param skippedNotCacheable    responses not stored: the policy said no
     * @param skippedIncomplete      responses not stored: the body did not arrive whole
     * @param storeFaults            store operations that failed
     * @param originErrors           requests to the origin that failed
     * @param originLatency          time to the origin's response head
     * @param store                  the store's own statistics, when it keeps them
     */
    public EngineStatistics(long requests, long hits, long misses, long staleServed, long revalidatedNotModified,
                            long revalidatedModified, long collapsedWaits, long stored, long skippedTooBig,
                            long skippedNotCacheable, long skippedIncomplete, long storeFaults, long originErrors,
                            OriginLatency originLatency, Optional<CacheStoreStatistics> store) {
        this(requests, hits, misses, staleServed, revalidatedNotModified, revalidatedModified, collapsedWaits, stored,
                skippedTooBig, skippedNotCacheable, skippedIncomplete, storeFaults, originErrors, originLatency, store, List.of());
    }

    /** {@return the share of answered requests that were hits, from 0 to 1; 0 before the first request} */
    public double hitRatio() {
        long answered = hits + misses;
        return answered == 0 ? 0 : (double) hits / answered;
    }

    /**
     * How long the origin took to send a response head, or to fail, summed over every request sent to it.
     *
     * @param count the requests measured
     * @param total their time, added up (divide by {@code count} for the mean)
     * @param max   the longest one
     */
    public record OriginLatency(long count, Duration total, Duration max) {

        /** No request measured yet. */
        public static final OriginLatency NONE = new OriginLatency(0, Duration.ZERO, Duration.ZERO);

        /**
         * Rejects a missing or invalid component with an exception naming it.
         *
         * @param count the requests measured
         * @param total their time, added up (divide by {@code count} for the mean)
         * @param max   the longest one
         */
        public OriginLatency {
            Objects.requireNonNull(total, "total");
            Objects.requireNonNull(max, "max");
            if (count < 0 || total.isNegative() || max.isNegative()) {
                throw new IllegalArgumentException("origin latency must not be negative: count=" + count + ", total=" + total
                        + ", max=" + max);
            }
        }
    }
}
