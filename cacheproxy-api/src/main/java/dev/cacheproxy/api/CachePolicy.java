package dev.cacheproxy.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decides what may be stored and when a stored response may be reused. The default is the RFC 9111
 * shared-cache policy of {@code cacheproxy-core}; customise it by wrapping it in a
 * {@link ForwardingCachePolicy} and overriding the decisions you want to change.
 *
 * <p>Contract: implementations are thread safe and pure: the answer depends only on the arguments,
 * and {@code now} is the only clock. They accept no {@code null} and return none. An exception
 * thrown from a policy is logged by the engine and the request goes to the origin uncached.
 */
public interface CachePolicy {

    /**
     * Whether a response to this request may be stored, and how long it is then fresh.
     *
     * @param request  the request as received from the client
     * @param response the origin's response head (for a 304, the stored head updated by it)
     * @param now      the current time
     * @return store (with the freshness lifetime) or do not store, each with its reason
     */
    Storability storability(RequestHead request, ResponseHead response, Instant now);

    /**
     * How to answer this request given the variants stored for its URI.
     *
     * @param request  the request as received from the client
     * @param variants every variant stored for the request's key, possibly none
     * @param now      the current time
     * @return reuse, validate, forward or unavailable, with the reason
     */
    Lookup lookup(RequestHead request, List<StoredResponse> variants, Instant now);

    /**
     * Which of the stored variants this request selects (RFC 9111 §4.1), without deciding whether it may
     * be reused: the engine asks it where it needs the variant a request stands for outside
     * {@link #lookup}, for a stale response in place of a failure and for the {@code GET} response a
     * {@code HEAD} response updates (§4.3.5).
     *
     * @param request  the request as received from the client (for a {@code HEAD}, the {@code GET} it stands for)
     * @param variants every variant stored for the request's key, possibly none
     * @return the variant, or empty when none matches
     */
    Optional<StoredResponse> selectVariant(RequestHead request, List<StoredResponse> variants);

    /**
     * Whether this stored response may never be used without the origin's confirmation once it needs
     * one (RFC 9111 §5.2.2.2 {@code must-revalidate}, and {@code proxy-revalidate}, {@code s-maxage} and
     * {@code no-cache} for a shared cache), read from the cache-control field in force for this cache.
     * When its validation fails and it cannot stand in, the client gets 504 rather than 502.
     *
     * @param stored the stored response whose validation failed
     * @return {@code true} when the stored response may not stand in for a failed validation
     */
    boolean mustRevalidate(StoredResponse stored);

    /**
     * Whether a stored response may answer the client in place of a failed origin: {@code stale-if-error}
     * (RFC 5861 §4), or a stale response served while the origin is unreachable (RFC 9111 §4.2.4).
     *
     * @param request     the request as received from the client
     * @param stored      the stored response that was being validated
     * @param errorStatus the origin's 5xx status; empty when it could not be reached or timed out
     * @param now         the current time
     * @return the reuse to answer with, or empty to report the origin's failure
     */
    Optional<Lookup.Reuse> reuseOnOriginError(RequestHead request, StoredResponse stored, OptionalInt errorStatus, Instant now);

    /**
     * Whether a request that must go to the origin may wait for another one for its key already on its
     * way, or lead later ones (request collapsing). Asked only for requests the engine would collapse
     * (a {@code GET} or {@code HEAD} that missed or found a stale response). By default, always.
     *
     * @param request the request as received from the client
     * @param now     the current time
     * @return allowed, or refused with the reason
     */
    default Collapsing collapsing(RequestHead request, Instant now) {
        return Collapsing.ALLOWED;
    }
}
