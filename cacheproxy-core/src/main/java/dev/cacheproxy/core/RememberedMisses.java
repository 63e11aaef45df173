package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.HeaderFields;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembered misses, Varnish's hit-for-miss: keys whose last response could not be stored, so that
 * requests for them go to the origin at once instead of waiting for one another behind request
 * collapsing (only to find, each in turn, that nothing was stored). Remembered for at most
 * {@code longest}, less when the response's {@code max-age} or {@code s-maxage} says so; a storable
 * response for the key, or a purge, forgets it. At most {@code capacity} keys, the least recently
 * remembered going first; forgetting one early only costs a wait. Thread safe.
 */
final class RememberedMisses {

    /** A remembered miss: until when, and why the response was not stored. */
    record Miss(Instant until, String reason) {
    }

    private final Duration longest;
    private final Map<CacheKey, Miss> misses;

    RememberedMisses(Duration longest, int capacity) {
        this.longest = longest;
        this.misses = new LinkedHashMap<>(64, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<CacheKey, Miss> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Remembers that the response for this key was not stored, for the shorter of the longest time and the
     * freshness the response gives; a response that gives zero is not remembered.
     */
    void remember(CacheKey key, HeaderFields responseHeaders, String reason, Instant now) {
        Duration time = longest;
        CacheControl directives = CacheControl.ofResponse(responseHeaders);
        Optional<Duration> stated = directives.seconds("s-maxage").or(() -> directives.seconds("max-age"));
        if (stated.isPresent() && stated.get().compareTo(time) < 0) {
            time = stated.get();
        }
        if (time.isZero()) {
            return;
        }
        synchronized (misses) {
            misses.remove(key); // re-inserted last: the most recently remembered stay longest
            misses.put(key, new Miss(now.plus(time), reason));
        }
    }

    /** The miss remembered for this key, when there is one and it has not run out. */
    Optional<Miss> remembered(CacheKey key, Instant now) {
        synchronized (misses) {
            if (misses.isEmpty()) {
                return Optional.empty();
            }
            Miss miss = misses.get(key);
            if (miss == null) {
                return Optional.empty();
            }
            if (!now.isBefore(miss.until())) {
                misses.remove(key);
                return Optional.empty();
            }
            return Optional.of(miss);
        }
    }

    /** Forgets the key: a storable response arrived, or it was purged. */
    void forget(CacheKey key) {
        synchronized (misses) {
            if (!misses.isEmpty()) {
                misses.remove(key);
            }
        }
    }

    /** Forgets every key. */
    void clear() {
        synchronized (misses) {
            misses.clear();
        }
    }

    /** How many keys are remembered, run out or not. */
    int size() {
        synchronized (misses) {
            return misses.size();
        }
    }
}
