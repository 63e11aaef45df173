package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * RFC 9111 §4.2: how long a response is fresh (§4.2.1, §4.2.2) and how old a stored one is (§4.2.3).
 * All arithmetic is in whole seconds, as {@code Age} and {@code max-age} are.
 */
final class FreshnessRule {

    /** RFC 9110 §15.1 and RFC 9111 §4.2.2: status codes whose responses may get heuristic freshness. */
    static final Set<Integer> HEURISTICALLY_CACHEABLE = Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);

    /** The fraction of the time since {@code Last-Modified} used as heuristic lifetime (RFC 9111 §4.2.2). */
    private static final long HEURISTIC_DIVISOR = 10;

    /** Heuristic lifetimes are capped, as most caches do, so one old file is not cached for years. */
    static final Duration HEURISTIC_CAP = Duration.ofDays(1);

    private FreshnessRule() {
    }

    /** A freshness lifetime and the rule it came from. */
    record Lifetime(Duration duration, String source) {
    }

    /**
     * The freshness lifetime of a response for a shared cache (§4.2.1): {@code s-maxage}, then
     * {@code max-age}, then {@code Expires} minus {@code Date}, then a heuristic (§4.2.2) where allowed.
     * Empty when the response gives no explicit lifetime and no heuristic applies.
     *
     * @param directives   the response directives this cache obeys (a targeted field's, or Cache-Control)
     * @param responseTime when the response was received, standing in for a missing {@code Date}
     */
    static Optional<Lifetime> lifetime(ResponseHead response, ResponseDirectives directives, Instant responseTime) {
        HeaderFields headers = response.headers();
        CacheControl cacheControl = directives.directives();
        for (String directive : new String[] {"s-maxage", "max-age"}) {
            switch (cacheControl.secondsState(directive)) {
                case VALID:
                    Duration seconds = cacheControl.seconds(directive).orElseThrow();
                    return Optional.of(new Lifetime(seconds, directive + "=" + seconds.toSeconds() + sourceSuffix(directives)));
                case INVALID:
                    // §4.2.1: invalid or conflicting freshness information makes the response stale.
                    return Optional.of(new Lifetime(Duration.ZERO, "invalid " + directive));
                default:
                    break;
            }
        }
        if (directives.expiresApplies() && headers.contains("Expires")) {
            return Optional.of(expiresLifetime(headers, responseTime));
        }
        return heuristicLifetime(response, cacheControl, responseTime);
    }

    private static String sourceSuffix(ResponseDirectives directives) {
        return directives.expiresApplies() ? "" : " (" + directives.source() + ")";
    }

    /** Whether any explicit freshness information is present (§4.2.1), valid or not. */
    static boolean hasExplicitFreshness(HeaderFields headers, ResponseDirectives directives) {
        CacheControl cacheControl = directives.directives();
        return cacheControl.has("s-maxage") || cacheControl.has("max-age")
                || (directives.expiresApplies() && headers.contains("Expires"));
    }

    private static Lifetime expiresLifetime(HeaderFields headers, Instant responseTime) {
        // §5.3: an invalid Expires, or several of them, means "already expired".
        if (headers.values("Expires").size() != 1) {
            return new Lifetime(Duration.ZERO, "several Expires");
        }
        Optional<Instant> expires = HttpDates.parse(headers.first("Expires").orElseThrow());
        if (expires.isEmpty()) {
            return new Lifetime(Duration.ZERO, "invalid Expires");
        }
        Instant date = dateValue(headers).orElse(responseTime);
        Duration lifetime = Duration.between(date, expires.get());
        return new Lifetime(lifetime.isNegative() ? Duration.ZERO : truncate(lifetime), "Expires");
    }

    private static Optional<Lifetime> heuristicLifetime(ResponseHead response, CacheControl cacheControl, Instant responseTime) {
        if (!HEURISTICALLY_CACHEABLE.contains(response.status()) && !cacheControl.has("public")) {
            return Optional.empty();
        }
        Optional<Instant> lastModified = response.headers().first("Last-Modified").flatMap(HttpDates::parse);
        if (lastModified.isEmpty()) {
            return Optional.empty();
        }
        Instant date = dateValue(response.headers()).orElse(responseTime);
        Duration sinceModified = Duration.between(lastModified.get(), date);
        if (sinceModified.isNegative() || sinceModified.isZero()) {
            return Optional.empty();
        }
        Duration heuristic = truncate(sinceModified.dividedBy(HEURISTIC_DIVISOR));
        if (heuristic.compareTo(HEURISTIC_CAP) > 0) {
            heuristic = HEURISTIC_CAP;
        }
        return Optional.of(new Lifetime(heuristic, "heuristic from Last-Modified"));
    }

    /**
     * The current age of a stored response (§4.2.3):
     * {@code max(apparent_age, age_value + response_delay) + resident_time}.
     */
    static Duration currentAge(StoredResponse stored, Instant now) {
        HeaderFields headers = stored.headers();
        Instant dateValue = dateValue(headers).orElse(stored.responseTime());
        Duration apparentAge = nonNegative(Duration.between(dateValue, stored.responseTime()));
        Duration responseDelay = nonNegative(Duration.between(stored.requestTime(), stored.responseTime()));
        Duration correctedAgeValue = ageValue(headers).plus(responseDelay);
        Duration correctedInitialAge = max(apparentAge, correctedAgeValue);
        Duration residentTime = nonNegative(Duration.between(stored.responseTime(), now));
        return truncate(correctedInitialAge.plus(residentTime));
    }

    /**
     * The {@code Age} value (RFC 9111 §5.1): the first member of the field, when it is a non-negative
     * integer; otherwise the field is ignored (zero).
     */
    static Duration ageValue(HeaderFields headers) {
        Optional<String> age = headers.first("Age");
        if (age.isEmpty()) {
            return Duration.ZERO;
        }
        String first = age.get().split(",", 2)[0].strip();
        return CacheControl.parseDeltaSeconds(first).map(Duration::ofSeconds).orElse(Duration.ZERO);
    }

    /** The {@code Date} value, when present and valid. */
    static Optional<Instant> dateValue(HeaderFields headers) {
        return headers.first("Date").flatMap(HttpDates::parse);
    }

    /** Whether the response is fresh now: its lifetime exceeds its current age. */
    static boolean isFresh(StoredResponse stored, Instant now) {
        return stored.freshnessLifetime().compareTo(currentAge(stored, now)) > 0;
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration truncate(Duration duration) {
        return Duration.ofSeconds(duration.getSeconds());
    }
}
