package dev.cacheproxy.api;

import java.util.Optional;

/**
 * Sequences a {@link CachePolicy} and a {@link CacheStore} through the phases of one proxied exchange.
 * A server adapter (a proxy servlet, a filter) calls one method per phase and does what the returned
 * {@link ExchangePlan} says; it holds no caching rule of its own.
 *
 * <pre>
 * onClientRequest ──Answer──────────────────────────────▶ done
 *        ├─Wait─▶ (another request's response arrives) ─▶ onClientRequestAfterWait ─▶ as above
 *        └─ToOrigin─▶ onOriginResponse ──Answer─────────▶ done
 *                          │       └─Relay─▶ stream body through capture ▶ done
 *                          └─ onOriginFailure ──Answer | Fail──▶ done
 * </pre>
 *
 * <p>Contract: thread safe; no {@code null}s. The engine never throws because of a store or policy
 * fault: a store that fails is a miss or a skipped write, a policy that fails means "forward, do not
 * store". It throws {@link IllegalArgumentException} only for arguments that break this contract.
 */
public interface ProxyEngine {

    /**
     * Phase 1: a client's request arrived. Answer it from the cache, or say how to ask the origin.
     *
     * @param clientRequest the request as the client sent it
     * @return an answer, a wait for another request's response, or a request to send to the origin
     */
    ExchangePlan.OnClientRequest onClientRequest(RequestHead clientRequest);

    /**
     * Phase 1 for a fast path that can only answer: the answer when the cache has one at once (a hit, a
     * 304 or a range of a stored response, a 504 for {@code only-if-cached}), else empty, in which case
     * the adapter goes on with {@link #onClientRequest}. It has no side effects: it never makes the
     * request the one others wait for, and never starts a background refresh.
     *
     * @param clientRequest the request as the client sent it
     * @return the answer, or empty
     */
    Optional<ExchangePlan.Answer> answerFromCache(RequestHead clientRequest);

    /**
     * Phase 1 again, after a {@link ExchangePlan.Wait} ended or timed out: answer from what is stored
     * now, or send the request to the origin. Never answers {@code Wait}.
     *
     * @param clientRequest the request as the client sent it
     * @return an answer or a request to send to the origin
     */
    ExchangePlan.OnClientRequest onClientRequestAfterWait(RequestHead clientRequest);

    /**
     * Phase 2: the origin's response head arrived for a request sent as {@code toOrigin} said.
     *
     * @param toOrigin       the plan that sent the request
     * @param originResponse the origin's status and header fields
     * @return the response to relay (with where to capture its body) or an answer from the cache
     */
    ExchangePlan.OnOriginResponse onOriginResponse(ExchangePlan.ToOrigin toOrigin, ResponseHead originResponse);

    /**
     * Phase 2, failed: the origin could not be reached, timed out, or sent a broken response head.
     *
     * @param toOrigin the plan that sent the request
     * @param failure  what went wrong, with one line naming the problem
     * @return a stale response to serve instead, or the error to send
     */
    ExchangePlan.OnOriginFailure onOriginFailure(ExchangePlan.ToOrigin toOrigin, OriginFailure failure);

    /**
     * A background refresh ({@link ExchangePlan.Answer#refresh}) will not be sent: the engine may offer it
     * to the next request at once, and forgets it. Adapters call this, or one of the phase 2 methods, for
     * every refresh they are given; default nothing, for engines that keep no refresh in flight.
     *
     * @param refresh the refresh the adapter was given in an answer and will not send
     */
    default void onRefreshDeclined(ExchangePlan.ToOrigin refresh) {
    }
}
