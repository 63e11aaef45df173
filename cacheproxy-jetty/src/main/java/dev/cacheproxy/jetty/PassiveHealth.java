package dev.cacheproxy.jetty;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health (outlier ejection): a backend is taken out of its pool after {@code
 * consecutiveFailures} requests to it failed in a row (refused, reset, timed out, or, when {@code
 * count5xx}, answered with a 5xx). It stays out for {@code ejectionTime} times the number of times it was
 * ejected before, at most {@code maxEjectionTime}, then takes requests again; each ejection time it stays
 * in without being ejected counts one ejection off again. Close to nginx's {@code max_fails} /
 * {@code fail_timeout} and Envoy's outlier detection ({@code consecutive_5xx}, {@code
 * base_ejection_time}, {@code max_ejection_time}).
 *
 * @param consecutiveFailures failures in a row that eject a backend; 0 turns passive ejection off
 * @param ejectionTime        how long the first ejection lasts
 * @param maxEjectionTime     the longest an ejection lasts, however often it was repeated
 * @param count5xx            whether a 5xx response counts as a failure
 */
public record PassiveHealth(int consecutiveFailures, Duration ejectionTime, Duration maxEjectionTime, boolean count5xx) {

    /** Ejected after 3 failures in a row, for 10 s, growing up to 5 minutes; 5xx responses count. */
    public static final PassiveHealth DEFAULT = new PassiveHealth(3, Duration.ofSeconds(10), Duration.ofMinutes(5), true);

    /** No passive ejection: only active health checks (if any) take backends out. */
    public static final PassiveHealth OFF = new PassiveHealth(0, Duration.ofSeconds(10), Duration.ofMinutes(5), false);

    /**
     * Checks the components: {@code null} throws {@code NullPointerException}, an invalid value {@code IllegalArgumentException}.
     *
     * @param consecutiveFailures failures in a row that eject a backend; 0 turns passive ejection off
     * @param ejectionTime        how long the first ejection lasts
     * @param maxEjectionTime     the longest an ejection lasts, however often it was repeated
     * @param count5xx            whether a 5xx response counts as a failure
     */
    public PassiveHealth {
        Objects.requireNonNull(ejectionTime, "ejectionTime");
        Objects.requireNonNull(maxEjectionTime, "maxEjectionTime");
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutive failures must not be negative, got " + consecutiveFailures);
        }
        if (ejectionTime.isNegative() || ejectionTime.isZero() || maxEjectionTime.compareTo(ejectionTime) < 0) {
            throw new IllegalArgumentException("the ejection time must be positive and at most the maximum ejection time, got "
                    + ejectionTime + " and " + maxEjectionTime);
        }
    }

    boolean enabled() {
        return consecutiveFailures > 0;
    }

    /** How long an ejection lasts when the backend was ejected {@code times} times before (this one included). */
    Duration ejectionFor(int times) {
        Duration grown = ejectionTime.multipliedBy(Math.max(1, times));
        return grown.compareTo(maxEjectionTime) > 0 ? maxEjectionTime : grown;
    }
}
