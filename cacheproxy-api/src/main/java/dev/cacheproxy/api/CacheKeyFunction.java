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
 * thrown here is logged by the engine, and the request goes to the origin and is not stored. A
 * function that finds a request ambiguous (e.g. a keyed cookie sent twice with different values, of
 * which origins take different ones) throws {@link NoKey}: the request then goes to the origin without
 * reading or writing the cache, and {@code Cache-Status} says why, without a logged fault.
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
     * @throws NoKey when the request has no safe key: it must neither read nor write the cache
     */
    CacheKey keyFor(RequestHead request);

    /**
     * Thrown by a key function for a request that must bypass the cache because no key would be safe;
     * its message (a short reason, no request data) goes to {@code Cache-Status} as the detail.
     */
    final class NoKey extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /**
         * A bypass for this reason, e.g. {@code "cookie lang sent twice with different values"}.
         *
         * @param reason why the request has no safe key
         */
        public NoKey(String reason) {
            // No stack trace: this is an answer about the request, not a fault in the code.
            super(java.util.Objects.requireNonNull(reason, "reason"), null, false, false);
        }
    }
}
