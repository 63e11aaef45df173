package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CacheStore} seen through the rule "a cache fault never becomes a client error": a read that
 * fails is a miss, a write or removal that fails is skipped, and each is logged at WARN at most once
 * per interval for each kind of operation, so a failing disk cannot flood the log.
 */
final class GuardedStore {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedStore.class);

    private final CacheStore store;
    private final LogThrottle readFaults;
    private final LogThrottle writeFaults;
    private final LogThrottle removeFaults;
    private final LongAdder faults;

    GuardedStore(CacheStore store, Duration warnInterval) {
        this(store, warnInterval, new LongAdder());
    }

    /** @param faults counts every fault, logged or not, for the engine's statistics */
    GuardedStore(CacheStore store, Duration warnInterval, LongAdder faults) {
        this.store = store;
        this.faults = faults;
        this.readFaults = new LogThrottle(warnInterval);
        this.writeFaults = new LogThrottle(warnInterval);
        this.removeFaults = new LogThrottle(warnInterval);
    }

    /** The stored variants, or none when the store fails. */
    List<StoredResponse> variants(CacheKey key) {
        try {
            return store.variants(key);
        } catch (RuntimeException fault) {
            warn(readFaults, "read", key, fault);
            return List.of();
        }
    }

    /** Stores the response; returns whether the store took it. */
    boolean store(CacheKey key, StoredResponse response) {
        try {
            store.store(key, response);
            return true;
        } catch (RuntimeException fault) {
            warn(writeFaults, "write", key, fault);
            return false;
        }
    }

    /** Removes every variant of the key, if the store can. */
    void remove(CacheKey key) {
        try {
            store.remove(key);
        } catch (RuntimeException fault) {
            warn(removeFaults, "removal", key, fault);
        }
    }

    /** The store behind the guard. */
    CacheStore unguarded() {
        return store;
    }

    private void warn(LogThrottle throttle, String operation, CacheKey key, RuntimeException fault) {
        faults.increment();
        long suppressed = throttle.tryAcquire();
        if (suppressed >= 0) {
            LOG.warn("cache store {} failed for {} ({} similar faults not logged since the last one); serving without the cache",
                    operation, key, suppressed, fault);
        }
    }
}
