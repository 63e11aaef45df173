package dev.cacheproxy.api;

/**
 * Computes the primary cache key of a request: what a response is stored under, what collapsing,
 * purging by URL and remembered misses go by. It decides only the key; the request the origin gets is
 * unchanged by it (the origin still sees the URI the client sent). {@code cacheproxy-core}'s
 * {@code CacheKeys} composes the usual pieces (ignored query parameters, a header or cookie as a
 * dimension, ...).
 *
 * <p>Contract: thread safe and pure; accepts no {@code null} and returns none. Two requests that may
 * share a stored response must get equal keys, and two that must not, different ones: a key that
 * leaves out something the response depends on hands one user's response to another. An exception
 * thrown here is logged by the engine, and the request goes to the origin and is not stored.
 */
@FunctionalInterface
public interface CacheKeyFunction {

    /** The key of RFC 9111 §2: the normalised target URI, nothing else. */
    CacheKeyFunction TARGET_URI = request -> CacheKey.of(request.uri());

    /**
     * The key this request's response is stored and looked up under.
     *
     * @param request the request, after normalisation
     * @return its key
     */
    CacheKey keyFor(RequestHead request);
}
