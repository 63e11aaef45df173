package dev.cacheproxy.api;

import java.net.URI;
import java.util.Objects;

/**
 * What one backend of a pool has done and what state it is in, as the proxy that balances over it
 * reports it: a row of {@link EngineStatistics#backends()}. Counts are best effort (updated without
 * locking) and only grow, except {@code active}.
 *
 * @param pool      the name of the pool the backend belongs to
 * @param backend   the backend's base URI, e.g. {@code http://10.0.0.2:8080}
 * @param state     whether requests go to it now, and if not why
 * @param weight    its share of the pool's requests relative to the others (1 or more)
 * @param backup    whether it takes requests only when no primary backend is available
 * @param requests  requests sent to it (retries and failovers included)
 * @param failures  requests to it that failed: refused, reset, timed out, or answered with a 5xx that
 *                  counts toward ejection
 * @param active    requests on their way to it at the moment of the snapshot
 * @param ejections how many times it was taken out of the pool (passively or by health checks)
 * @param latency   time from sending a request to it to its response head, or to the failure
 */
public record BackendStatistics(String pool, URI backend, State state, int weight, boolean backup, long requests,
                                long failures, long active, long ejections, EngineStatistics.OriginLatency latency) {

    /** Whether a backend takes requests. */
    public enum State {
        /** Takes requests. */
        HEALTHY,
        /** Taken out for a while after consecutive failures (passive outlier ejection); comes back when the time is up. */
        EJECTED,
        /** Failed its active health checks; comes back after enough checks pass. */
        DOWN
    }

    /**
     * Checks the components: {@code null} throws {@code NullPointerException}, an invalid value {@code IllegalArgumentException}.
     *
     * @param pool      the name of the pool the backend belongs to
     * @param backend   the backend's base URI, e.g. {@code http://10.0.0.2:8080}
     * @param state     whether requests go to it now, and if not why
     * @param weight    its share of the pool's requests relative to the others (1 or more)
     * @param backup    whether it takes requests only when no primary backend is available
     * @param requests  requests sent to it (retries and failovers included)
     * @param failures  requests to it that failed: refused, reset, timed out, or answered with a 5xx that
     *                  counts toward ejection
     * @param active    requests on their way to it at the moment of the snapshot
     * @param ejections how many times it was taken out of the pool (passively or by health checks)
     * @param latency   time from sending a request to it to its response head, or to the failure
     */
    public BackendStatistics {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(latency, "latency");
        if (weight < 1 || requests < 0 || failures < 0 || active < 0 || ejections < 0) {
            throw new IllegalArgumentException("backend statistics must not be negative (weight at least 1): weight=" + weight
                    + ", requests=" + requests + ", failures=" + failures + ", active=" + active + ", ejections=" + ejections);
        }
    }
}
