package dev.cacheproxy.api;

import java.time.Duration;
import java.util.Objects;

/** What to do with a request given what is stored for it; each answer says why. */
public sealed interface Lookup {

    /** {@return the human-readable reason, as it appears in logs and {@code Cache-Status}} */
    String reason();

    /**
     * Answer from this stored response without contacting the origin.
     *
     * @param response the stored response to send
     * @param age      its current age (RFC 9111 §4.2.3), sent in {@code Age}
     * @param ttl      its remaining freshness; negative when it is served stale
     * @param reason   why it may be reused, e.g. {@code "fresh"} or {@code "max-stale"}
     * @param revalidateInBackground whether the origin should be asked for a fresh one after answering
     *                 ({@code stale-while-revalidate}, RFC 5861 §3)
     */
    record Reuse(StoredResponse response, Duration age, Duration ttl, String reason, boolean revalidateInBackground)
            implements Lookup {
        /**
         * Rejects a missing component with an exception naming it.
         *
         * @param response               the stored response to send
         * @param age                    its current age (RFC 9111 §4.2.3), sent in {@code Age}
         * @param ttl                    its remaining freshness; negative when it is served stale
         * @param reason                 why it may be reused, e.g. {@code "fresh"} or {@code "max-stale"}
         * @param revalidateInBackground whether the origin should be asked for a fresh one after answering
         *                               ({@code stale-while-revalidate}, RFC 5861 §3)
         */
        public Reuse {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(age, "age");
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(reason, "reason");
        }

        /**
         * Reuse with no background revalidation.
         *
         * @param response the stored response to send
         * @param age      its current age
         * @param ttl      how long it stays fresh (negative when stale)
         * @param reason   why, for logs
         */
        public Reuse(StoredResponse response, Duration age, Duration ttl, String reason) {
            this(response, age, ttl, reason, false);
        }
    }

    /**
     * Ask the origin whether this stored response may still be used (RFC 9111 §4.3).
     *
     * @param response      the stored response whose validators go with the request
     * @param forwardReason the RFC 9211 {@code fwd} value: {@code STALE}, or {@code REQUEST} when the
     *                      request's own directives asked for validation
     * @param reason        why it cannot be reused as it is, e.g. {@code "stale"} or {@code "no-cache"}
     */
    record Validate(StoredResponse response, ForwardReason forwardReason, String reason) implements Lookup {
        /**
         * Rejects a missing component with an exception naming it.
         *
         * @param response      the stored response whose validators go with the request
         * @param forwardReason the RFC 9211 {@code fwd} value: {@code STALE}, or {@code REQUEST} when the
         *                      request's own directives asked for validation
         * @param reason        why it cannot be reused as it is, e.g. {@code "stale"} or {@code "no-cache"}
         */
        public Validate {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(forwardReason, "forwardReason");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Send the request to the origin; no stored response applies.
     *
     * @param forwardReason the RFC 9211 {@code fwd} value
     * @param reason        the detail, e.g. {@code "method POST"}
     */
    record Forward(ForwardReason forwardReason, String reason) implements Lookup {
        /**
         * Rejects a missing component with an exception naming it.
         *
         * @param forwardReason the RFC 9211 {@code fwd} value
         * @param reason        the detail, e.g. {@code "method POST"}
         */
        public Forward {
            Objects.requireNonNull(forwardReason, "forwardReason");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Answer 504 without contacting the origin: the request allows only a stored response
     * ({@code only-if-cached}, RFC 9111 §5.2.1.7) and none can be used.
     *
     * @param reason why nothing stored could be used
     */
    record Unavailable(String reason) implements Lookup {
        /**
         * Rejects a missing component with an exception naming it.
         *
         * @param reason why nothing stored could be used
         */
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
