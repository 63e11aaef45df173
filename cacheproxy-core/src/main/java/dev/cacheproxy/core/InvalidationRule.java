package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * RFC 9111 §4.4: an unsafe request that succeeded invalidates what is stored for its target URI, and
 * for the {@code Location} and {@code Content-Location} URIs of the response when they are on the
 * same origin.
 */
final class InvalidationRule {

    /** RFC 9110 §9.2.1 safe methods; every other method is unsafe. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private InvalidationRule() {
    }

    /** The keys to invalidate after this exchange; empty when it invalidates nothing. */
    static List<CacheKey> keysToInvalidate(RequestHead request, ResponseHead response) {
        return keysToInvalidate(request, response, CacheKeyFunction.TARGET_URI);
    }

    /**
     * The keys to invalidate, as the cache key function gives them for a {@code GET} of each URI with the
     * request's header fields (so a tenant's update invalidates that tenant's responses).
     */
    static List<CacheKey> keysToInvalidate(RequestHead request, ResponseHead response, CacheKeyFunction keyFunction) {
        if (SAFE_METHODS.contains(request.method())) {
            return List.of();
        }
        int status = response.status();
        if (status < 200 || status >= 400) {
            return List.of();
        }
        List<CacheKey> keys = new ArrayList<>(3);
        keys.add(keyFunction.keyFor(request.withMethod("GET")));
        for (String field : new String[] {"Location", "Content-Location"}) {
            response.headers().first(field)
                    .flatMap(value -> resolveSameOrigin(request.uri(), value))
                    .map(uri -> keyFunction.keyFor(new RequestHead("GET", uri, request.headers(), request.authenticatedUser())))
                    .filter(key -> !keys.contains(key))
                    .ifPresent(keys::add);
        }
        return keys;
    }

    /** The reference resolved against the request URI, when it is on the same origin (RFC 6454). */
    static Optional<URI> resolveSameOrigin(URI base, String reference) {
        try {
            URI resolved = base.resolve(new URI(reference.strip()));
            boolean sameOrigin = resolved.getScheme() != null && resolved.getScheme().equalsIgnoreCase(base.getScheme())
                    && resolved.getHost() != null && resolved.getHost().equalsIgnoreCase(base.getHost())
                    && effectivePort(resolved) == effectivePort(base);
            return sameOrigin ? Optional.of(resolved) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
