package dev.cacheproxy.core;

import dev.cacheproxy.api.OriginFailure;

/**
 * The fixed phrases clients see when the origin fails, one per kind of failure: short, and free of
 * anything the failure itself says (addresses, ports, object ids, connection dumps), which goes to the
 * rate-limited log instead.
 */
final class OriginFailurePhrases {

    /** The origin did not answer within the timeout. */
    static final String TIMED_OUT = "the origin did not answer in time";
    /** No connection to the origin could be made or kept. */
    static final String UNREACHABLE = "the origin could not be reached";
    /** The origin's response was not a valid one, or was broken off. */
    static final String BROKEN_RESPONSE = "the origin sent a broken response";
    /** The stored response must be revalidated (must-revalidate and kin) and the origin failed. */
    static final String MUST_REVALIDATE = "the stored response must be revalidated and the origin failed";
    /** The origin answered a revalidation with a 304 that matches no stored response (RFC 9111 §4.3.4). */
    static final String UNMATCHED_NOT_MODIFIED = "the origin's 304 matches no stored response";

    private OriginFailurePhrases() {
    }

    /** The phrase for this kind of failure. */
    static String of(OriginFailure failure) {
        if (failure instanceof OriginFailure.TimedOut) {
            return TIMED_OUT;
        }
        return failure instanceof OriginFailure.Unreachable ? UNREACHABLE : BROKEN_RESPONSE;
    }
}
