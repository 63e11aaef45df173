package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.ForwardReason;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * RFC 5861 §3 {@code stale-while-revalidate}: at most one background revalidation per stored variant
 * at a time, and the request it sends. A refresh that an adapter never sent (or whose outcome never
 * came back) is offered again after {@link #TIMEOUT}. Thread safe.
 */
final class BackgroundRefreshes {

    /** A background refresh an adapter did not send is offered again after this long. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String VARIANT_SEPARATOR = "\u0000";
    /** From this many entries on, an offer first forgets the refreshes older than {@link #TIMEOUT}. */
    private static final int SWEEP_AT = 1024;

    private final ConcurrentMap<String, Instant> inFlight = new ConcurrentHashMap<>();
    private final String cacheName;

    BackgroundRefreshes(String cacheName) {
        this.cacheName = cacheName;
    }

    /** The refresh of this stale variant to send after answering; empty when one is already on its way. */
    Optional<ToOrigin> offer(RequestHead clientRequest, CacheKey key, StoredResponse stale, Instant now) {
        String refreshKey = refreshKey(key, stale);
        if (inFlight.size() >= SWEEP_AT) {
            // Refreshes that never came back (an adapter that lost one) would otherwise stay for good.
            inFlight.values().removeIf(offered -> Duration.between(offered, now).compareTo(TIMEOUT) >= 0);
        }
        Instant previous = inFlight.putIfAbsent(refreshKey, now);
        if (previous != null
                && (Duration.between(previous, now).compareTo(TIMEOUT) < 0 || !inFlight.replace(refreshKey, previous, now))) {
            return Optional.empty();
        }
        // The refresh stands in for a plain GET of the client: none of its own conditions or range.
        HeaderFields headers = clientRequest.headers().without("Range", "If-Range", "If-Match", "If-Unmodified-Since",
                "If-None-Match", "If-Modified-Since", "Cache-Control", "Pragma");
        RequestHead refreshRequest = clientRequest.withMethod("GET").withHeaders(headers);
        return Optional.of(ValidationRule.request(refreshRequest, key, stale, now,
                CacheStatus.forward(cacheName, ForwardReason.STALE, "background revalidation (stale-while-revalidate)")));
    }

    /** The adapter will not send this refresh: the next may be offered at once. */
    void declined(ToOrigin refresh) {
        ended(refresh);
    }

    /** How many refreshes are in flight (or were offered and not yet heard of again), for tests. */
    int inFlight() {
        return inFlight.size();
    }

    /** A validation of a stored variant has ended, one way or another: the next may be offered at once. */
    void ended(ToOrigin toOrigin) {
        toOrigin.validating().ifPresent(validated -> inFlight.remove(refreshKey(toOrigin.key(), validated)));
    }

    /** One background refresh at a time per stored variant: the key of that variant. */
    private static String refreshKey(CacheKey key, StoredResponse variant) {
        return key.value() + VARIANT_SEPARATOR + variant.variantKey();
    }
}
