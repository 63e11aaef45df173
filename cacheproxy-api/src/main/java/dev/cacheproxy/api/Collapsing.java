package dev.cacheproxy.api;

import java.util.Objects;

/**
 * Whether a request may wait for another one for the same key that is already on its way to the
 * origin (request collapsing), as a {@link CachePolicy} decides; each answer says why.
 */
public sealed interface Collapsing {

    /** Collapse as usual: wait for a request already on its way, or lead the ones that come after. */
    Collapsing ALLOWED = new Allowed("may collapse");

    /** {@return the human-readable reason, as it appears in logs and {@code Cache-Status}} */
    String reason();

    /**
     * The request may wait for, or lead, others for its key.
     *
     * @param reason why
     */
    record Allowed(String reason) implements Collapsing {
        /**
         * Checks the components: {@code null} throws {@code NullPointerException}.
         *
         * @param reason why
         */
        public Allowed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The request goes to the origin at once, neither waiting for nor leading others; e.g. a path whose
     * responses are per user, where waiting only adds the leader's time.
     *
     * @param reason why, e.g. {@code "route /account/**: not collapsed"}
     */
    record Refused(String reason) implements Collapsing {
        /**
         * Checks the components: {@code null} throws {@code NullPointerException}.
         *
         * @param reason why, e.g. {@code "route /account/**: not collapsed"}
         */
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
