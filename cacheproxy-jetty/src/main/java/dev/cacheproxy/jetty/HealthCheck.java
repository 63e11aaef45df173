package dev.cacheproxy.jetty;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checks for every backend of a pool: a {@code GET} of {@code path} every
 * {@code interval}, which passes when it is answered within {@code timeout} with a status from
 * {@code minStatus} to {@code maxStatus}. A backend is marked down after {@code unhealthyThreshold}
 * failed checks in a row, and up again after {@code healthyThreshold} passed ones. Backends start up,
 * so a proxy serves as soon as it starts.
 *
 * <p>Defaults ({@link #path(String)}): every 5 s, 2 s timeout, 200 to 399, down after 3, up after 2,
 * close to Envoy's and Varnish's probes.
 *
 * @param path               the path (and query) requested on each backend, beginning with {@code /}; it
 *                           follows the backend URI's own path prefix, if it has one
 * @param interval           the time between two checks of one backend
 * @param timeout            the longest a check may take before it counts as failed
 * @param minStatus          the lowest status that passes
 * @param maxStatus          the highest status that passes
 * @param healthyThreshold   consecutive passed checks that bring a down backend back
 * @param unhealthyThreshold consecutive failed checks that take a backend out
 */
public record HealthCheck(String path, Duration interval, Duration timeout, int minStatus, int maxStatus,
                          int healthyThreshold, int unhealthyThreshold) {

    /**
     * Checks the components: {@code null} throws {@code NullPointerException}, an invalid value {@code IllegalArgumentException}.
     *
     * @param path               the path (and query) requested on each backend, beginning with {@code /}; it
     *                           follows the backend URI's own path prefix, if it has one
     * @param interval           the time between two checks of one backend
     * @param timeout            the longest a check may take before it counts as failed
     * @param minStatus          the lowest status that passes
     * @param maxStatus          the highest status that passes
     * @param healthyThreshold   consecutive passed checks that bring a down backend back
     * @param unhealthyThreshold consecutive failed checks that take a backend out
     */
    public HealthCheck {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a health check path must begin with /, got \"" + path + "\"");
        }
        if (interval.toMillis() < 1 || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("health check interval and timeout must be at least 1 ms, got "
                    + interval + " and " + timeout);
        }
        if (minStatus < 100 || maxStatus > 599 || minStatus > maxStatus) {
            throw new IllegalArgumentException("health check statuses must be a range within 100 to 599, got "
                    + minStatus + " to " + maxStatus);
        }
        if (healthyThreshold < 1 || unhealthyThreshold < 1) {
            throw new IllegalArgumentException("health check thresholds must be at least 1, got healthy "
                    + healthyThreshold + " and unhealthy " + unhealthyThreshold);
        }
    }

    /**
     * Checks of this path with the defaults.
     *
     * @param path the path to request, starting with {@code /}
     * @return the checks
     */
    public static HealthCheck path(String path) {
        return new HealthCheck(path, Duration.ofSeconds(5), Duration.ofSeconds(2), 200, 399, 2, 3);
    }

    /**
     * The same checks, this often.
     *
     * @param every the time between two checks of a backend
     * @return a copy
     */
    public HealthCheck interval(Duration every) {
        return new HealthCheck(path, every, timeout, minStatus, maxStatus, healthyThreshold, unhealthyThreshold);
    }

    /**
     * The same checks, failing after this long.
     *
     * @param limit the longest a check may take
     * @return a copy
     */
    public HealthCheck timeout(Duration limit) {
        return new HealthCheck(path, interval, limit, minStatus, maxStatus, healthyThreshold, unhealthyThreshold);
    }

    /**
     * The same checks, passing with a status in this range.
     *
     * @param min the lowest passing status
     * @param max the highest passing status
     * @return a copy
     */
    public HealthCheck expectStatus(int min, int max) {
        return new HealthCheck(path, interval, timeout, min, max, healthyThreshold, unhealthyThreshold);
    }

    /**
     * The same checks, with these thresholds.
     *
     * @param healthy   consecutive passes that bring a backend back
     * @param unhealthy consecutive failures that take it out
     * @return a copy
     */
    public HealthCheck thresholds(int healthy, int unhealthy) {
        return new HealthCheck(path, interval, timeout, minStatus, maxStatus, healthy, unhealthy);
    }

    boolean passes(int status) {
        return status >= minStatus && status <= maxStatus;
    }
}
