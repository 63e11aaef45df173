package dev.cacheproxy.api;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** Whether a response may be stored, and for how long it is then fresh; each answer says why. */
public sealed interface Storability {

    /** {@return the human-readable reason, as it appears in logs and {@code Cache-Status}} */
    String reason();

    /**
     * Store the response.
     *
     * @param freshnessLifetime how long it stays fresh from its generation (zero: validate before each reuse)
     * @param reason            why, e.g. {@code "max-age=60"}
     * @param fieldsNotStored   names of response fields left out of the stored copy (lower case), e.g.
     *                          {@code set-cookie} when a rule decided to share a response despite it;
     *                          the client whose request fetched it still gets them
     */
    record Store(Duration freshnessLifetime, String reason, Set<String> fieldsNotStored) implements Storability {
        /**
         * Checks the components: {@code null} throws {@code NullPointerException}, an invalid value {@code IllegalArgumentException}.
         *
         * @param freshnessLifetime how long it stays fresh from its generation (zero: validate before each reuse)
         * @param reason            why, e.g. {@code "max-age=60"}
         * @param fieldsNotStored   names of response fields left out of the stored copy (lower case), e.g.
         *                          {@code set-cookie} when a rule decided to share a response despite it;
         *                          the client whose request fetched it still gets them
         */
        public Store {
            Objects.requireNonNull(freshnessLifetime, "freshnessLifetime");
            Objects.requireNonNull(reason, "reason");
            if (freshnessLifetime.isNegative()) {
                throw new IllegalArgumentException("freshness lifetime is negative: " + freshnessLifetime);
            }
            fieldsNotStored = fieldsNotStored.stream().map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        }

        /**
         * Store every end-to-end field.
         *
         * @param freshnessLifetime how long it stays fresh from its generation
         * @param reason            why, for logs
         */
        public Store(Duration freshnessLifetime, String reason) {
            this(freshnessLifetime, reason, Set.of());
        }
    }

    /** Who a refusal to store is about, which decides whether the engine may remember it for the key. */
    enum Cause {
        /**
         * The response: any request for the key would get one that is not stored ({@code private},
         * {@code no-store}, a rule for its path), so later requests for the key go to the origin at once
         * rather than wait for one another (a remembered miss, Varnish's hit-for-miss).
         */
        RESPONSE,
        /**
         * This request only (its method, its {@code Authorization}, its {@code no-store}, a bypass): others
         * for the key may still get a storable response, so nothing is remembered.
         */
        REQUEST
    }

    /**
     * Do not store the response.
     *
     * @param reason why, e.g. {@code "no-store"}
     * @param cause  whether the refusal is about the response or about this request alone
     */
    record DoNotStore(String reason, Cause cause) implements Storability {
        /**
         * Checks the components: {@code null} throws {@code NullPointerException}.
         *
         * @param reason why, e.g. {@code "no-store"}
         * @param cause  whether the refusal is about the response or about this request alone
         */
        public DoNotStore {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(cause, "cause");
        }

        /**
         * A refusal caused by the response.
         *
         * @param reason why, for logs
         */
        public DoNotStore(String reason) {
            this(reason, Cause.RESPONSE);
        }

        /**
         * A refusal caused by this request alone.
         *
         * @param reason why, for logs
         * @return the refusal
         */
        public static DoNotStore becauseOfRequest(String reason) {
            return new DoNotStore(reason, Cause.REQUEST);
        }
    }
}
