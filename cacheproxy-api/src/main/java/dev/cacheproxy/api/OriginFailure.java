package dev.cacheproxy.api;

import java.util.Objects;

/**
 * Why the origin gave no usable response, as a server adapter saw it: each kind carries one line
 * naming the problem (never sent to clients with internals such as addresses). The engine answers a
 * {@link TimedOut} with 504 and the others with 502, unless a stored response may stand in.
 */
public sealed interface OriginFailure {

    /**
     * One line naming the problem, e.g. {@code "ConnectException: Connection refused"}; for logs and {@code Cache-Status}.
     *
     * @return the problem, one line
     */
    String problem();

    /**
     * The origin did not answer in time (RFC 9110 §15.6.5: 504 Gateway Timeout).
     *
     * @param problem one line naming the problem
     */
    record TimedOut(String problem) implements OriginFailure {
        /**
         * Rejects a missing problem.
         *
         * @param problem one line naming the problem
         */
        public TimedOut {
            Objects.requireNonNull(problem, "problem");
        }
    }

    /**
     * No connection to the origin could be made or kept: refused, reset, unknown host, TLS failure.
     *
     * @param problem one line naming the problem
     */
    record Unreachable(String problem) implements OriginFailure {
        /**
         * Rejects a missing problem.
         *
         * @param problem one line naming the problem
         */
        public Unreachable {
            Objects.requireNonNull(problem, "problem");
        }
    }

    /**
     * The origin answered with something that is not a valid HTTP response, or broke it off: an invalid
     * status code or head, or (for a servlet filter, where the servlet stands for the origin) an
     * exception thrown before the response was decided.
     *
     * @param problem one line naming the problem
     */
    record BrokenResponse(String problem) implements OriginFailure {
        /**
         * Rejects a missing problem.
         *
         * @param problem one line naming the problem
         */
        public BrokenResponse {
            Objects.requireNonNull(problem, "problem");
        }
    }
}
