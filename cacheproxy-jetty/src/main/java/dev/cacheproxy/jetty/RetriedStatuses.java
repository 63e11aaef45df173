package dev.cacheproxy.jetty;

import java.util.Objects;
import java.util.Set;

/**
 * Which 5xx statuses from a backend send an idempotent request once to another backend of its pool,
 * nginx's {@code proxy_next_upstream http_502 http_503 http_504}: only a request without a body (or
 * whose body was never read), only while nothing has gone to the client (the backend's answer is
 * dropped, not relayed), only when another backend is left to try, and only within the pool's
 * {@link RetryBudget}. A {@code POST} never goes again. When the retry cannot be made the client gets the
 * backend's answer, as without retries.
 *
 * @param statuses the statuses, each from 500 to 599; empty: a backend's answer is always relayed
 */
public record RetriedStatuses(Set<Integer> statuses) {

    /** 502, 503 and 504 (the statuses passive health counts by default): the backend or what is behind it failed. */
    public static final RetriedStatuses GATEWAY_ERRORS = new RetriedStatuses(Set.of(502, 503, 504));

    /** None: a backend's answer is always relayed (nginx's {@code proxy_next_upstream error timeout}). */
    public static final RetriedStatuses NONE = new RetriedStatuses(Set.of());

    /**
     * Copies and checks the statuses.
     *
     * @param statuses the statuses, each from 500 to 599
     * @throws IllegalArgumentException if one is not a 5xx status
     */
    public RetriedStatuses {
        Objects.requireNonNull(statuses, "statuses");
        statuses = Set.copyOf(statuses);
        for (int status : statuses) {
            if (status < 500 || status > 599) {
                // A 4xx is the client's own answer, and another backend would give the same one.
                throw new IllegalArgumentException("only 5xx statuses can send a request to another backend, got " + status);
            }
        }
    }

    /**
     * These statuses, e.g. {@code RetriedStatuses.of(500, 502, 503, 504)}.
     *
     * @param statuses 5xx statuses
     * @return the set of them
     */
    public static RetriedStatuses of(Integer... statuses) {
        return new RetriedStatuses(Set.of(statuses));
    }

    /**
     * Whether a backend's answer with this status may go to another backend instead.
     *
     * @param status a backend's response status
     * @return whether it is one of these
     */
    public boolean retries(int status) {
        return statuses.contains(status);
    }
}
