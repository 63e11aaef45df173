package dev.cacheproxy.core;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreStatistics;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.ObservableStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link EngineStatistics}, incremented by the engine's phases, its captures and its
 * guarded store. Lock free: each is a {@link LongAdder}, so counting costs requests next to nothing.
 */
final class EngineCounters {

    final LongAdder requests = new LongAdder();
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder staleServed = new LongAdder();
    final LongAdder revalidatedNotModified = new LongAdder();
    final LongAdder revalidatedModified = new LongAdder();
    final LongAdder collapsedWaits = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder skippedTooBig = new LongAdder();
    final LongAdder skippedNotCacheable = new LongAdder();
    final LongAdder skippedIncomplete = new LongAdder();
    final LongAdder storeFaults = new LongAdder();
    final LongAdder originErrors = new LongAdder();
    private final LongAdder originCount = new LongAdder();
    private final LongAdder originNanos = new LongAdder();
    private final AtomicLong originMaxNanos = new AtomicLong();

    /**
     * Phase 1 decided. A request is counted when first asked about, and as a hit or a miss when it gets
     * its answer or goes to the origin: after a wait, if it waited.
     */
    void decided(boolean firstAsk, Lookup lookup, ExchangePlan.OnClientRequest plan) {
        if (firstAsk) {
            requests.increment();
        }
        if (plan instanceof ExchangePlan.Wait) {
            collapsedWaits.increment();
        } else if (plan.cacheStatus().hit()) {
            hits.increment();
            if (lookup instanceof Lookup.Reuse reuse && (reuse.ttl().isNegative() || reuse.revalidateInBackground())) {
                staleServed.increment();
            }
        } else {
            misses.increment();
        }
    }

    /** The origin's response head arrived for this request. */
    void originResponded(ExchangePlan.ToOrigin toOrigin, int status, Instant now) {
        originLatency(Duration.between(toOrigin.requestTime(), now));
        if (toOrigin.validating().isPresent()) {
            if (status == 304) {
                revalidatedNotModified.increment();
            } else if (status >= 200 && status < 300) {
                revalidatedModified.increment();
            }
        }
    }

    /** The request to the origin failed. */
    void originFailed(ExchangePlan.ToOrigin toOrigin, Instant now) {
        originLatency(Duration.between(toOrigin.requestTime(), now));
        originErrors.increment();
    }

    /** One request to the origin took this long to its response head or failure; a negative time (the clock went back) counts as zero. */
    private void originLatency(Duration latency) {
        long nanos = latency.isNegative() ? 0 : saturatedNanos(latency);
        originCount.increment();
        originNanos.add(nanos);
        originMaxNanos.accumulateAndGet(nanos, Math::max);
    }

    /** A snapshot, with the store's own statistics when it keeps them and can tell. */
    EngineStatistics snapshot(CacheStore store, List<BackendStatistics> backends) {
        return new EngineStatistics(requests.sum(), hits.sum(), misses.sum(), staleServed.sum(),
                revalidatedNotModified.sum(), revalidatedModified.sum(), collapsedWaits.sum(), stored.sum(),
                skippedTooBig.sum(), skippedNotCacheable.sum(), skippedIncomplete.sum(), storeFaults.sum(), originErrors.sum(),
                new EngineStatistics.OriginLatency(originCount.sum(), Duration.ofNanos(originNanos.sum()),
                        Duration.ofNanos(originMaxNanos.get())),
                storeStatistics(store), backends);
    }

    private static Optional<CacheStoreStatistics> storeStatistics(CacheStore store) {
        if (!(store instanceof ObservableStore observable)) {
            return Optional.empty();
        }
        try {
            return Optional.of(observable.statistics());
        } catch (RuntimeException cannotTell) {
            // A store that cannot report is left out of this snapshot rather than failing a metrics scrape.
            return Optional.empty();
        }
    }

    private static long saturatedNanos(Duration latency) {
        try {
            return latency.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
