package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** RFC 9111 §3: whether a shared cache may store a response, and §3.5 for requests with credentials. */
final class StorageRule {

    /**
     * Final status codes whose semantics this cache implements (§3, "the cache understands the response
     * status code"), which matters for 206, 304 and {@code must-understand}. 206 is left out because a
     * partial body is never stored as a whole one; 304 is not stored but updates a stored response (§4.3.4).
     */
    static final Set<Integer> UNDERSTOOD_STATUS = Set.of(
            200, 201, 202, 203, 204, 205, 300, 301, 302, 303, 307, 308,
            400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426, 428, 429, 431, 451,
            500, 501, 502, 503, 504, 505);

    private StorageRule() {
    }

    /**
     * Whether a response may be stored, and its freshness lifetime if so.
     *
     * @param targetedFields the RFC 9213 targeted cache-control fields this cache obeys, in precedence order
     * @param responseTime   when the response arrived; stands in for a missing {@code Date}
     */
    static Storability decide(RequestHead request, ResponseHead response, List<String> targetedFields, Instant responseTime) {
        if (!request.isMethod("GET") && !isReusablePost(request, response, targetedFields)) {
            return Storability.DoNotStore.becauseOfRequest("method " + request.method() + " is not stored");
        }
        int status = response.status();
        if (status < 200) {
            return new Storability.DoNotStore("interim response " + status + " is not final");
        }
        if (status == 206) {
            return new Storability.DoNotStore("partial content (206) is not stored");
        }
        if (status == 304) {
            return new Storability.DoNotStore("304 updates a stored response, it is not stored");
        }
        CacheControl requestDirectives = CacheControl.ofRequest(request.headers());
        if (requestDirectives.has("no-store")) {
            return Storability.DoNotStore.becauseOfRequest("request no-store");
        }
        ResponseDirectives responseControl = ResponseDirectives.of(response.headers(), targetedFields);
        CacheControl directives = responseControl.directives();
        String source = responseControl.source();
        boolean understood = UNDERSTOOD_STATUS.contains(status);
        if (directives.has("must-understand")) {
            // §5.2.2.3: a cache that understands the status code stores it despite no-store; one that does not, never.
            if (!understood) {
                return new Storability.DoNotStore("must-understand and status " + status + " is not understood");
            }
        } else if (directives.has("no-store")) {
            return new Storability.DoNotStore(describe("no-store", source));
        }
        if (directives.has("private")) {
            // The qualified form would allow storing without the named fields; treating it as
            // unqualified is the safe reading (a private field never reaches another user).
            return new Storability.DoNotStore(describe("private", source));
        }
        boolean explicitlyShared = directives.has("public") || directives.has("s-maxage");
        if (request.isAuthenticated() && !explicitlyShared && !directives.has("must-revalidate")) {
            return Storability.DoNotStore.becauseOfRequest((request.headers().contains("Authorization") ? "request has Authorization"
                    : "request is made by an authenticated user") + " and response does not say it may be shared (§3.5)");
        }
        if (VaryRule.variesOnEverything(response.headers())) {
            return new Storability.DoNotStore("Vary: * never matches a later request");
        }
        if (!FreshnessRule.hasExplicitFreshness(response.headers(), responseControl) && !directives.has("public")
                && !FreshnessRule.HEURISTICALLY_CACHEABLE.contains(status)) {
            // §3: without explicit freshness or public, only heuristically cacheable status codes are stored.
            return new Storability.DoNotStore("status " + status + " without explicit freshness");
        }
        Optional<FreshnessRule.Lifetime> lifetime = FreshnessRule.lifetime(response, responseControl, responseTime);
        if (lifetime.isEmpty() && !ValidationRule.hasValidator(response.headers())) {
            // Never fresh and nothing to validate it with: it could only ever be served stale (to anyone,
            // when the origin is down), so it is not kept at all.
            return new Storability.DoNotStore("no freshness information and no validator: it could never be reused");
        }
        Duration duration = lifetime.map(FreshnessRule.Lifetime::duration).orElse(Duration.ZERO);
        if (directives.has("no-cache")) {
            return new Storability.Store(duration, describe("no-cache", source) + ": stored, validated before each reuse");
        }
        if (lifetime.isEmpty()) {
            return new Storability.Store(Duration.ZERO, "no freshness information: stored, validated before reuse");
        }
        return new Storability.Store(duration, lifetime.get().source());
    }

    /**
     * RFC 9110 §9.3.3: a response to POST may be stored, for later GETs, when it has explicit freshness
     * and a {@code Content-Location} naming the POST's own target URI.
     */
    static boolean isReusablePost(RequestHead request, ResponseHead response, List<String> targetedFields) {
        if (!request.isMethod("POST") || !FreshnessRule.hasExplicitFreshness(response.headers(),
                ResponseDirectives.of(response.headers(), targetedFields))) {
            return false;
        }
        return response.headers().first("Content-Location")
                .flatMap(location -> InvalidationRule.resolveSameOrigin(request, location))
                .filter(location -> CacheKey.of(location).equals(CacheKey.of(request.uri())))
                .isPresent();
    }

    private static String describe(String directive, String source) {
        return source.equals("Cache-Control") ? directive : source + ": " + directive;
    }
}
