package dev.cacheproxy.api;

import java.util.Objects;

/**
 * Rewrites a client request's header fields before the cache looks it up and before it is sent to the
 * origin: Varnish's {@code vcl_recv}. Removing a cookie nobody reads, or reducing {@code Accept-Encoding}
 * to the one coding the cache will hold, makes more requests share a stored response.
 * {@code cacheproxy-core}'s {@code RequestNormalizers} has the usual ones.
 *
 * <p>Contract: thread safe and pure; accepts no {@code null} and returns none. It changes fields only:
 * the method and target URI stay as the client sent them (a {@link CacheKeyFunction} decides the key).
 * An exception thrown here is logged by the engine, and the request goes to the origin as the client
 * sent it and is not stored.
 */
@FunctionalInterface
public interface RequestNormalizer {

    /** Leaves every request as it is. */
    RequestNormalizer NONE = RequestHead::headers;

    /**
     * The header fields the cache and the origin get for this request.
     *
     * @param clientRequest the request as the client sent it
     * @return the fields to use instead of its own
     */
    HeaderFields normalize(RequestHead clientRequest);

    /**
     * This normalizer, then that one on its result.
     *
     * @param next the normalizer to apply second
     * @return the combined normalizer
     */
    default RequestNormalizer andThen(RequestNormalizer next) {
        Objects.requireNonNull(next, "next");
        return request -> next.normalize(request.withHeaders(normalize(request)));
    }
}
