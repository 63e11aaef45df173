package dev.cacheproxy.core;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.Fail;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the client gets when the origin fails or nothing may be asked of it: a stored response standing
 * in, when the policy allows (RFC 5861 §4, RFC 9111 §4.2.4), else the proxy's own 502 or 504 with a
 * short plain-text body. The policy decides both which variant stands in and whether a stored response
 * must be revalidated (RFC 9111 §5.2.2.2), from the cache-control field in force for this cache.
 */
final class OriginFailureAnswers {

    private final GuardedPolicy policy;
    private final GuardedStore store;
    private final StoredAnswers storedAnswers;

    OriginFailureAnswers(GuardedPolicy policy, GuardedStore store, StoredAnswers storedAnswers) {
        this.policy = policy;
        this.store = store;
        this.storedAnswers = storedAnswers;
    }

    /**
     * A stored response in place of the origin's failure or 5xx, when the policy allows it: the one being
     * validated, or else the variant the policy selects for the request.
     *
     * @param errorStatus the origin's 5xx status; empty when it could not be reached or timed out
     */
    Optional<Answer> staleInstead(ToOrigin toOrigin, OptionalInt errorStatus, CacheStatus status, Instant now) {
        RequestHead clientRequest = toOrigin.clientRequest();
        if (!clientRequest.isMethod("GET") && !clientRequest.isMethod("HEAD")) {
            return Optional.empty();
        }
        Optional<StoredResponse> candidate = toOrigin.validating()
                .or(() -> policy.selectVariant(clientRequest, store.variants(toOrigin.key())));
        Optional<Lookup.Reuse> reuse = candidate.flatMap(stored -> policy.reuseOnOriginError(clientRequest, stored, errorStatus, now));
        return reuse.map(stale -> storedAnswers.answer(clientRequest, stale.response(), stale.age(),
                status.withDetail("served stored response: " + stale.reason()
                        + status.detail().map(detail -> " (" + detail + ")").orElse(""))));
    }

    /**
     * The proxy's own error for an origin failure nothing stored may answer: 504 when it timed out, or
     * when the stored response being validated must be revalidated (RFC 9111 §5.2.2.2); 502 otherwise.
     */
    Fail failure(ToOrigin toOrigin, OriginFailure failure, CacheStatus status) {
        // A fixed phrase per kind: the failure's own text (addresses, ports, a connection dump) is logged only.
        String phrase = OriginFailurePhrases.of(failure);
        if (failure instanceof OriginFailure.TimedOut) {
            return new Fail(504, "Gateway Timeout: " + phrase, status);
        }
        if (toOrigin.validating().filter(stored -> policy.mustRevalidate(toOrigin.clientRequest(), stored)).isPresent()) {
            return new Fail(504, "Gateway Timeout: " + OriginFailurePhrases.MUST_REVALIDATE, status);
        }
        return new Fail(502, "Bad Gateway: " + phrase, status);
    }

    /** RFC 9111 §5.2.1.7: {@code only-if-cached} and nothing stored may answer: 504, the origin not asked. */
    static Answer unavailable(String reason, CacheStatus status) {
        return plainText(504, "Gateway Timeout: " + reason, status);
    }

    /** The proxy's own answer: this status, this one line as a plain-text body, never stored. */
    static Answer plainText(int statusCode, String message, CacheStatus status) {
        HeaderFields headers = HeaderFields.of("Content-Type", "text/plain; charset=utf-8", "Cache-Control", "no-store");
        ResponseHead head = StoredAnswers.withCacheStatus(new ResponseHead(statusCode, headers), status);
        return new Answer(head, Body.ofUtf8(message + "\n"), status);
    }
}
