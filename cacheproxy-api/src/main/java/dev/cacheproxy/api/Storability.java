package dev.cacheproxy.api;

import java.time.Duration;
import java.util.Objects;

/** Whether a response may be stored, and for how long it is then fresh; each answer says why. */
public sealed interface Storability {

    /** {@return the human-readable reason, as it appears in logs and {@code Cache-Status}} */
    String reason();

    /**
     * Store the response.
     *
     * @param freshnessLifetime how long it stays fresh from its generation (zero: validate before each reuse)
     * @param reason            why, e.g. {@code "max-age=60"}
     */
    record Store(Duration freshnessLifetime, String reason) implements Storability {
        /**
         * Rejects a missing or invalid component with an exception naming it.
         *
         * @param freshnessLifetime how long it stays fresh from its generation (zero: validate before each reuse)
         * @param reason            why, e.g. {@code "max-age=60"}
         */
        public Store {
            Objects.requireNonNull(freshnessLifetime, "freshnessLifetime");
            Objects.requireNonNull(reason, "reason");
            if (freshnessLifetime.isNegative()) {
                throw new IllegalArgumentException("freshness lifetime is negative: " + freshnessLifetime);
            }
        }
    }

    /**
     * Do not store the response.
     *
     * @param reason why, e.g. {@code "no-store"}
     */
    record DoNotStore(String reason) implements Storability {
        /**
         * Rejects a missing component with an exception naming it.
         *
         * @param reason why, e.g. {@code "no-store"}
         */
        public DoNotStore {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
