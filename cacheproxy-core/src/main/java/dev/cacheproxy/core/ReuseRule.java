package dev.cacheproxy.core;

import dev.cacheproxy.api.ForwardReason;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * RFC 9111 §4: whether a stored response may answer a request. Selects the variant (§4.1), then weighs
 * its freshness (§4.2) against the request's directives (§5.2.1) and the response's (§5.2.2), RFC 8246's
 * {@code immutable} for a fresh one and RFC 5861's {@code stale-while-revalidate} for a stale one.
 */
final class ReuseRule {

    private ReuseRule() {
    }

    /**
     * @param targetedFields the RFC 9213 targeted cache-control fields this cache obeys, in precedence order
     */
    static Lookup decide(RequestHead request, List<StoredResponse> variants, List<String> targetedFields, Instant now) {
        CacheControl requestDirectives = CacheControl.ofRequest(request.headers());
        boolean onlyIfCached = requestDirectives.has("only-if-cached");
        Lookup decision = decideIgnoringOnlyIfCached(request, requestDirectives, variants, targetedFields, now);
        if (onlyIfCached && !(decision instanceof Lookup.Reuse)) {
            // §5.2.1.7: answer from the cache or with 504, never from the origin.
            return new Lookup.Unavailable("only-if-cached: " + decision.reason());
        }
        if (onlyIfCached && decision instanceof Lookup.Reuse reuse && reuse.revalidateInBackground()) {
            return new Lookup.Reuse(reuse.response(), reuse.age(), reuse.ttl(), reuse.reason(), false);
        }
        return decision;
    }

    private static Lookup decideIgnoringOnlyIfCached(RequestHead request, CacheControl requestDirectives,
                                                     List<StoredResponse> variants, List<String> targetedFields, Instant now) {
        if (!request.isMethod("GET") && !request.isMethod("HEAD")) {
            return new Lookup.Forward(ForwardReason.METHOD, "method " + request.method());
        }
        if (variants.isEmpty()) {
            return new Lookup.Forward(ForwardReason.URI_MISS, "nothing stored");
        }
        Optional<StoredResponse> selected = select(request, variants);
        if (selected.isEmpty()) {
            return new Lookup.Forward(ForwardReason.VARY_MISS, "no stored variant matches Vary");
        }
        StoredResponse stored = selected.get();
        CacheControl responseDirectives = ResponseDirectives.of(stored.headers(), targetedFields).directives();

        if (requestDirectives.has("no-cache")) {
            return validateOrForward(stored, ForwardReason.REQUEST, "request no-cache");
        }
        if (responseDirectives.has("no-cache")) {
            return validateOrForward(stored, ForwardReason.STALE, "no-cache");
        }

        Duration age = FreshnessRule.currentAge(stored, now);
        Duration lifetime = stored.freshnessLifetime();
        Duration ttl = lifetime.minus(age);
        boolean fresh = !ttl.isNegative() && !ttl.isZero();

        Optional<Duration> requestMaxAge = requestDirectives.seconds("max-age");
        // RFC 8246: an immutable response does not change while fresh, so a reload's max-age=0 need not
        // reach the origin; a forced reload (no-cache, above) still does.
        boolean immutableAndFresh = fresh && responseDirectives.has("immutable");
        if (requestDirectives.has("max-age") && !immutableAndFresh
                && (requestMaxAge.isEmpty() || age.compareTo(requestMaxAge.get()) > 0)) {
            return validateOrForward(stored, ForwardReason.REQUEST, "older than request max-age");
        }
        if (requestDirectives.has("min-fresh")) {
            Optional<Duration> minFresh = requestDirectives.seconds("min-fresh");
            if (minFresh.isEmpty() || ttl.compareTo(minFresh.get()) < 0) {
                return validateOrForward(stored, ForwardReason.REQUEST, "fresh for less than request min-fresh");
            }
        }
        if (fresh) {
            return new Lookup.Reuse(stored, age, ttl, "fresh");
        }
        Duration staleness = ttl.negated();
        if (StaleRule.mustNotServeStale(responseDirectives)) {
            return validateOrForward(stored, ForwardReason.STALE, "stale and must be revalidated");
        }
        if (requestDirectives.has("max-stale")) {
            Optional<Duration> maxStale = requestDirectives.seconds("max-stale");
            boolean anyStaleness = requestDirectives.argument("max-stale").isEmpty();
            if (anyStaleness || (maxStale.isPresent() && staleness.compareTo(maxStale.get()) <= 0)) {
                return new Lookup.Reuse(stored, age, ttl, "stale within request max-stale");
            }
        }
        if (StaleRule.withinWindow(responseDirectives, "stale-while-revalidate", staleness)) {
            return new Lookup.Reuse(stored, age, ttl, "stale-while-revalidate", true);
        }
        return validateOrForward(stored, ForwardReason.STALE, "stale");
    }

    /**
     * §4.1: the stored variants whose {@code Vary}-nominated request fields match this request; of
     * several, the most recent by {@code Date} (then by arrival).
     */
    static Optional<StoredResponse> select(RequestHead request, List<StoredResponse> variants) {
        StoredResponse newest = null;
        for (StoredResponse stored : variants) {
            if (VaryRule.selects(stored.headers(), request, stored.variantKey()) && (newest == null || NEWEST_LAST.compare(stored, newest) > 0)) {
                newest = stored;
            }
        }
        return Optional.ofNullable(newest);
    }

    /** Orders variants by {@code Date}, then by arrival. */
    private static final Comparator<StoredResponse> NEWEST_LAST = Comparator
            .comparing((StoredResponse stored) -> FreshnessRule.dateValue(stored.headers()).orElse(stored.responseTime()))
            .thenComparing(StoredResponse::responseTime);

    private static Lookup validateOrForward(StoredResponse stored, ForwardReason reason, String detail) {
        return ValidationRule.hasValidator(stored)
                ? new Lookup.Validate(stored, reason, detail)
                : new Lookup.Forward(reason, detail + ", no validator");
    }
}
