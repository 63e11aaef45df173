package dev.cacheproxy.jetty;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health (outlier ejection): a backend is taken out of its pool after {@code
 * consecutiveFailures} requests to it failed in a row (refused, reset, timed out, or answered with a
 * status {@code countedStatuses} counts). It stays out for {@code ejectionTime} times the number of times
 * it was ejected before, at most {@code maxEjectionTime}, then takes requests again; each ejection time
 * it stays in without being ejected counts one ejection off again. Close to nginx's {@code max_fails} /
 * {@code fail_timeout} and Envoy's outlier detection ({@code consecutive_gateway_failure}, {@code
 * base_ejection_time}, {@code max_ejection_time}).
 *
 * <p>By default only the gateway errors (502, 503, 504) count among the statuses: a 500 or 501 is what a
 * backend says about one request, and any client can ask for one (an unknown method, a URL that throws),
 * so counting it would let a client eject every backend and push the traffic onto backups or panic mode.
 *
 * @param consecutiveFailures failures in a row that eject a backend; 0 turns passive ejection off
 * @param ejectionTime        how long the first ejection lasts
 * @param maxEjectionTime     the longest an ejection lasts, however often it was repeated
 * @param countedStatuses     which response statuses count as a failure (connection failures always do)
 */
public record PassiveHealth(int consecutiveFailures, Duration ejectionTime, Duration maxEjectionTime, CountedStatuses countedStatuses) {

    /** Which backend response statuses count as failures toward ejection. */
    public enum CountedStatuses {
        /** No status counts: only refused, reset and timed-out requests (nginx's {@code proxy_next_upstream error timeout}). */
        NONE,
        /** 502, 503 and 504 count (Envoy's {@code consecutive_gateway_failure}); the default. */
        GATEWAY_ERRORS,
        /** Every 5xx counts (Envoy's {@code consecutive_5xx}): then a client that can make a backend answer 500 can eject it. */
        ALL_5XX;

        /**
         * Whether a response with this status counts as a failure.
         *
         * @param status the backend's response status code
         * @return {@code true} if it counts toward ejecting the backend
         */
        public boolean counts(int status) {
            return switch (this) {
                case NONE -> false;
                case GATEWAY_ERRORS -> status == 502 || status == 503 || status == 504;
                case ALL_5XX -> status >= 500 && status <= 599;
            };
        }
    }

    /** Ejected after 3 failures in a row, for 10 s, growing up to 5 minutes; of the statuses only 502, 503 and 504 count. */
    public static final PassiveHealth DEFAULT = new PassiveHealth(3, Duration.ofSeconds(10), Duration.ofMinutes(5), CountedStatuses.GATEWAY_ERRORS);

    /** No passive ejection: only active health checks (if any) take backends out. */
    public static final PassiveHealth OFF = new PassiveHealth(0, Duration.ofSeconds(10), Duration.ofMinutes(5), CountedStatuses.NONE);

    /**
     * Checks the components: {@code null} throws {@code NullPointerException}, an invalid value {@code IllegalArgumentException}.
     *
     * @param consecutiveFailures failures in a row that eject a backend; 0 turns passive ejection off
     * @param ejectionTime        how long the first ejection lasts
     * @param maxEjectionTime     the longest an ejection lasts, however often it was repeated
     * @param countedStatuses     which response statuses count as a failure (connection failures always do)
     */
    public PassiveHealth {
        Objects.requireNonNull(ejectionTime, "ejectionTime");
        Objects.requireNonNull(maxEjectionTime, "maxEjectionTime");
        Objects.requireNonNull(countedStatuses, "countedStatuses");
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutive failures must not be negative, got " + consecutiveFailures);
        }
        if (ejectionTime.isNegative() || ejectionTime.isZero() || maxEjectionTime.compareTo(ejectionTime) < 0) {
            throw new IllegalArgumentException("the ejection time must be positive and at most the maximum ejection time, got "
                    + ejectionTime + " and " + maxEjectionTime);
        }
    }

    /**
     * Passive health where every 5xx counts ({@code true}, {@link CountedStatuses#ALL_5XX}) or no status
     * does ({@code false}, {@link CountedStatuses#NONE}).
     *
     * @param consecutiveFailures failures in a row that eject a backend; 0 turns passive ejection off
     * @param ejectionTime        how long the first ejection lasts
     * @param maxEjectionTime     the longest an ejection lasts, however often it was repeated
     * @param count5xx            whether every 5xx response counts as a failure
     */
    public PassiveHealth(int consecutiveFailures, Duration ejectionTime, Duration maxEjectionTime, boolean count5xx) {
        this(consecutiveFailures, ejectionTime, maxEjectionTime, count5xx ? CountedStatuses.ALL_5XX : CountedStatuses.NONE);
    }

    /**
     * The same, counting these statuses as failures.
     *
     * @param statuses which response statuses count as a failure
     * @return a copy with {@code countedStatuses} replaced
     */
    public PassiveHealth counting(CountedStatuses statuses) {
        return new PassiveHealth(consecutiveFailures, ejectionTime, maxEjectionTime, statuses);
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
