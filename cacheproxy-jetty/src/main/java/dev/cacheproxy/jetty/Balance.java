package dev.cacheproxy.jetty;

/** How a {@link BackendPool} picks the backend for a request among those that take requests. */
public enum Balance {

    /**
     * Smooth weighted round robin, as nginx's default: over a cycle each backend gets its weight's share
     * of requests, interleaved rather than in bursts. With equal weights, plain round robin.
     */
    ROUND_ROBIN,

    /**
     * The backend with the fewest requests on their way to it, relative to its weight (nginx's
     * {@code least_conn}, Envoy's least request): slow backends get fewer requests.
     */
    LEAST_REQUESTS,

    /**
     * Consistent hashing on the cache key (a ketama-style ring, points in proportion to weight): each key
     * goes to the same backend while that backend takes requests, so each backend's own caches stay
     * warm; when a backend leaves, only its keys move, and they come back when it returns (nginx's
     * {@code hash $key consistent}, Varnish's shard director).
     */
    KEY_HASH
}
