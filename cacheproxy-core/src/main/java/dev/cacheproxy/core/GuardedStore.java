package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CacheStore} seen through the rule "a cache fault never becomes a client error": a read that
 * fails is a miss, a write or removal that fails is skipped, and each is logged at WARN at most once
 * per interval for each kind of operation, so a failing disk cannot flood the log. A fault is a
 * {@link RuntimeException} or an {@link InternalError}, which is how the JVM reports a memory-mapped
 * file that faulted (a disk tier on a full or failing disk).
 *
 * <p>It also remembers whether the store took the last write it was given, so that the engine says
 * {@code stored} only while the store is taking writes: after a failed write, responses are still
 * offered to the store (so that writing resumes as soon as it can, when space comes back), but not
 * announced as stored until one is taken.
 */
final class GuardedStore {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedStore.class);

    private final CacheStore store;
    private final LogThrottle readFaults;
    private final LogThrottle writeFaults;
    private final LogThrottle removeFaults;
    private final LogThrottle resumes;
    private final LongAdder faults;
    private final AtomicBoolean lastWriteFailed = new AtomicBoolean();

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
        this.resumes = new LogThrottle(warnInterval);
    }

    /** The stored variants, or none when the store fails. */
    List<StoredResponse> variants(CacheKey key) {
        try {
            return store.variants(key);
        } catch (RuntimeException | InternalError fault) {
            warn(readFaults, "read", key, fault);
            return List.of();
        }
    }

    /** Stores the response; returns whether the store took it. */
    boolean store(CacheKey key, StoredResponse response) {
        try {
            store.store(key, response);
            if (lastWriteFailed.get()) {
                lastWriteFailed.set(false);
                if (resumes.tryAcquire() >= 0) {
                    LOG.info("cache store took a write again ({}) after failing", key);
                }
            }
            return true;
        } catch (RuntimeException | InternalError fault) {
            lastWriteFailed.set(true);
            warn(writeFaults, "write", key, fault);
            return false;
        }
    }

    /** Whether the store took the last write it was given (or has been given none): a response may be announced as stored. */
    boolean takesWrites() {
        return !lastWriteFailed.get();
    }

    /** Removes every variant of the key, if the store can. */
    void remove(CacheKey key) {
        try {
            store.remove(key);
        } catch (RuntimeException | InternalError fault) {
            warn(removeFaults, "removal", key, fault);
        }
    }

    /** The store behind the guard. */
    CacheStore unguarded() {
        return store;
    }

    private void warn(LogThrottle throttle, String operation, CacheKey key, Throwable fault) {
        faults.increment();
        long suppressed = throttle.tryAcquire();
        if (suppressed >= 0) {
            LOG.warn("cache store {} failed for {} ({} similar faults not logged since the last one); serving without the cache",
                    operation, key, suppressed, fault);
        }
    }
}
