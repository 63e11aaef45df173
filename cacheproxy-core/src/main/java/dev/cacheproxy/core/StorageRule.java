package dev.cacheproxy.core;

import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** RFC 9111 §3: whether a shared cache may store a response, and §3.5 for requests with credentials. */
final class StorageRule {

    /**
     * Final status codes this cache understands (§3, "the cache understands the response status code").
     * 206 is left out because a partial body is never stored as a whole one; 304 is not a
     * response to store but one to update with (§4.3.4).
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
     * @param responseTime when the response arrived; stands in for a missing {@code Date}
     */
    static Storability decide(RequestHead request, ResponseHead response, Instant responseTime) {
        if (!request.isMethod("GET")) {
            return new Storability.DoNotStore("method " + request.method() + " is not stored");
        }
        int status = response.status();
        if (status == 206) {
            return new Storability.DoNotStore("partial content (206) is not stored");
        }
        if (status == 304) {
            return new Storability.DoNotStore("304 updates a stored response, it is not stored");
        }
        CacheControl requestDirectives = CacheControl.ofRequest(request.headers());
        if (requestDirectives.has("no-store")) {
            return new Storability.DoNotStore("request no-store");
        }
        CacheControl responseDirectives = CacheControl.ofResponse(response.headers());
        if (responseDirectives.has("no-store")) {
            return new Storability.DoNotStore("no-store");
        }
        if (!UNDERSTOOD_STATUS.contains(status)) {
            return new Storability.DoNotStore("status " + status + " is not understood by this cache");
        }
        if (responseDirectives.has("private")) {
            // The qualified form would allow storing without the named fields; treating it as
            // unqualified is the safe reading (a private field never reaches another user).
            return new Storability.DoNotStore("private");
        }
        boolean explicitlyShared = responseDirectives.has("public") || responseDirectives.has("s-maxage");
        if (request.headers().contains("Authorization") && !explicitlyShared && !responseDirectives.has("must-revalidate")) {
            return new Storability.DoNotStore("request has Authorization and response does not say it may be shared (§3.5)");
        }
        if (response.headers().contains("Set-Cookie") && !explicitlyShared) {
            // RFC 9111 allows it, but a cookie is nearly always one user's: only share it when the
            // origin says the response is public.
            return new Storability.DoNotStore("Set-Cookie without public or s-maxage");
        }
        if (VaryRule.variesOnEverything(response.headers())) {
            return new Storability.DoNotStore("Vary: * never matches a later request");
        }
        Optional<FreshnessRule.Lifetime> lifetime = FreshnessRule.lifetime(response, responseTime);
        boolean explicitFreshness = responseDirectives.has("s-maxage") || responseDirectives.has("max-age")
                || response.headers().contains("Expires");
        if (!explicitFreshness && !responseDirectives.has("public")
                && !FreshnessRule.HEURISTICALLY_CACHEABLE.contains(status)) {
            return new Storability.DoNotStore("status " + status + " without explicit freshness");
        }
        Duration duration = lifetime.map(FreshnessRule.Lifetime::duration).orElse(Duration.ZERO);
        if (responseDirectives.has("no-cache")) {
            return new Storability.Store(duration, "no-cache: stored, validated before each reuse");
        }
        if (lifetime.isEmpty()) {
            return new Storability.Store(Duration.ZERO, "no freshness information: stored, validated before reuse");
        }
        return new Storability.Store(duration, lifetime.get().source());
    }
}
