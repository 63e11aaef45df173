package dev.cacheproxy.core;

import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * RFC 9111 §4.2.4 (serving stale responses) with RFC 5861's {@code stale-while-revalidate} and
 * {@code stale-if-error}: when a stale stored response may stand in for a fresh one.
 */
final class StaleRule {

    /** RFC 5861 §4: the errors {@code stale-if-error} covers, besides an unreachable origin. */
    static final Set<Integer> ERROR_STATUSES = Set.of(500, 502, 503, 504);

    private StaleRule() {
    }

    /**
     * §4.2.4 with §5.2.2.2, §5.2.2.8 and §5.2.2.10: {@code must-revalidate}, {@code proxy-revalidate},
     * {@code s-maxage} and {@code no-cache} forbid a shared cache to serve the response stale, whatever
     * {@code max-stale} or RFC 5861 allow.
     */
    static boolean mustNotServeStale(CacheControl responseDirectives) {
        return responseDirectives.has("must-revalidate") || responseDirectives.has("proxy-revalidate")
                || responseDirectives.has("s-maxage") || responseDirectives.has("no-cache");
    }

    /** Whether this staleness is within the window a delta-seconds directive (e.g. {@code stale-if-error=60}) gives. */
    static boolean withinWindow(CacheControl directives, String directive, Duration staleness) {
        return directives.seconds(directive).filter(window -> staleness.compareTo(window) <= 0).isPresent();
    }

    /**
     * Whether a stored response may answer in place of the origin's failure.
     *
     * @param errorStatus          the origin's status, or empty when it could not be reached or timed out
     * @param staleIfUnreachable   how stale a response may be served when the origin cannot be reached
     *                             and the response says nothing (§4.2.4 allows it; zero never)
     */
    static Optional<Lookup.Reuse> onOriginError(RequestHead request, StoredResponse stored, OptionalInt errorStatus,
                                                List<String> targetedFields, Duration staleIfUnreachable, Instant now) {
        if (errorStatus.isPresent() && !ERROR_STATUSES.contains(errorStatus.getAsInt())) {
            return Optional.empty();
        }
        CacheControl responseDirectives = ResponseDirectives.of(stored.headers(), targetedFields).directives();
        Duration age = FreshnessRule.currentAge(stored, now);
        Duration ttl = stored.freshnessLifetime().minus(age);
        if (ttl.compareTo(Duration.ZERO) > 0) {
            // Fresh: validation was asked for by the request (no-cache, max-age=0): the stored response still holds.
            return errorStatus.isEmpty() && !responseDirectives.has("no-cache") && !responseDirectives.has("must-revalidate")
                    ? Optional.of(new Lookup.Reuse(stored, age, ttl, "origin unreachable; stored response still fresh"))
                    : Optional.empty();
        }
        if (mustNotServeStale(responseDirectives)) {
            return Optional.empty();
        }
        Duration staleness = ttl.negated();
        CacheControl requestDirectives = CacheControl.ofRequest(request.headers());
        if (withinWindow(responseDirectives, "stale-if-error", staleness) || withinWindow(requestDirectives, "stale-if-error", staleness)) {
            return Optional.of(new Lookup.Reuse(stored, age, ttl, "stale-if-error"));
        }
        // Only a response the origin gave a lifetime to: one whose freshness was guessed, or that was never
        // fresh, says nothing about how long it may stand in for the origin.
        boolean allowance = !staleIfUnreachable.isZero() && !staleIfUnreachable.isNegative()
                && FreshnessRule.hasExplicitFreshness(stored.headers(), ResponseDirectives.of(stored.headers(), targetedFields));
        if (errorStatus.isEmpty() && allowance && staleness.compareTo(staleIfUnreachable) <= 0) {
            return Optional.of(new Lookup.Reuse(stored, age, ttl, "stale: origin unreachable"));
        }
        return Optional.empty();
    }
}
