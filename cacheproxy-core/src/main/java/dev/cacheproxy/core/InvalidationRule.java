package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.PathRewrite;
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
 * same origin. The origin writes those in its own paths: behind a {@link PathRewrite} they are read
 * against the path the origin was asked for and mapped back to the client's, so that they name the
 * keys clients' requests are stored under.
 */
final class InvalidationRule {

    /** RFC 9110 §9.2.1 safe methods; every other method is unsafe. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private InvalidationRule() {
    }

    /** The keys to invalidate after this exchange; empty when it invalidates nothing. */
    static List<CacheKey> keysToInvalidate(RequestHead request, ResponseHead response) {
        return keysToInvalidate(request, response, Keying.withPathRewrites(CacheKeyFunction.TARGET_URI));
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
                    .flatMap(value -> resolveSameOrigin(request, value))
                    .map(uri -> keyFunction.keyFor(request.getOf(uri)))
                    .filter(key -> !keys.contains(key))
                    .ifPresent(keys::add);
        }
        return keys;
    }

    /**
     * A reference the origin sent in its response to this request, resolved against the URI the origin was
     * asked for, as the client's URI: empty when it is on another origin (RFC 6454), or outside what the
     * request's path rewrite maps (no client URI of this route names it).
     */
    static Optional<URI> resolveSameOrigin(RequestHead request, String reference) {
        PathRewrite rewrite = request.pathRewrite();
        try {
            URI base = rewrite.isNone() ? request.uri() : withPath(request.uri(), rewrite.originPath(request.path()));
            URI resolved = base.resolve(new URI(reference.strip()));
            boolean sameOrigin = resolved.getScheme() != null && resolved.getScheme().equalsIgnoreCase(base.getScheme())
                    && resolved.getHost() != null && resolved.getHost().equalsIgnoreCase(base.getHost())
                    && effectivePort(resolved) == effectivePort(base);
            if (!sameOrigin || rewrite.isNone()) {
                return sameOrigin ? Optional.of(resolved) : Optional.empty();
            }
            String originPath = resolved.getRawPath() == null || resolved.getRawPath().isEmpty() ? "/" : resolved.getRawPath();
            return rewrite.clientPath(originPath).map(clientPath -> withPath(resolved, clientPath));
        } catch (URISyntaxException | IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** The URI with another raw path, its query kept and its fragment dropped. */
    private static URI withPath(URI uri, String rawPath) {
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + rawPath + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
