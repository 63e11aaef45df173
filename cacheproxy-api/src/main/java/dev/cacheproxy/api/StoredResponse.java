package dev.cacheproxy.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A complete response as held by a {@link CacheStore}, with what RFC 9111 needs to reuse it.
 *
 * @param head              the status and header fields as received from the origin (hop-by-hop
 *                          fields and fields the cache must not store already removed)
 * @param body              the whole body; never a part of one
 * @param variantKey        the request field values that the response's {@code Vary} nominates,
 *                          normalised; two responses with equal keys are the same variant
 *                          (empty when the response has no {@code Vary})
 * @param requestTime       when the request that produced this response was sent (RFC 9111 §4.2.3)
 * @param responseTime      when the response was received (RFC 9111 §4.2.3)
 * @param freshnessLifetime how long the response is fresh from its generation, as the policy decided
 *                          when it was stored; zero means it must be validated before reuse
 */
public record StoredResponse(
        ResponseHead head,
        Body body,
        String variantKey,
        Instant requestTime,
        Instant responseTime,
        Duration freshnessLifetime) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param head              the status and header fields as received from the origin (hop-by-hop
     *                          fields and fields the cache must not store already removed)
     * @param body              the whole body; never a part of one
     * @param variantKey        the request field values that the response's {@code Vary} nominates,
     *                          normalised; two responses with equal keys are the same variant
     *                          (empty when the response has no {@code Vary})
     * @param requestTime       when the request that produced this response was sent (RFC 9111 §4.2.3)
     * @param responseTime      when the response was received (RFC 9111 §4.2.3)
     * @param freshnessLifetime how long the response is fresh from its generation, as the policy decided
     *                          when it was stored; zero means it must be validated before reuse
     */
    public StoredResponse {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(variantKey, "variantKey");
        Objects.requireNonNull(requestTime, "requestTime");
        Objects.requireNonNull(responseTime, "responseTime");
        Objects.requireNonNull(freshnessLifetime, "freshnessLifetime");
        if (responseTime.isBefore(requestTime)) {
            throw new IllegalArgumentException("response time " + responseTime + " is before request time " + requestTime);
        }
        if (freshnessLifetime.isNegative()) {
            throw new IllegalArgumentException("freshness lifetime is negative: " + freshnessLifetime);
        }
    }

    /** {@return the stored header fields} */
    public HeaderFields headers() {
        return head.headers();
    }

    /** {@return the stored status code} */
    public int status() {
        return head.status();
    }

    /**
     * Whether this and the other are the same variant of one URI (equal variant keys).
     *
     * @param other another stored response of the same key
     * @return {@code true} when one would replace the other
     */
    public boolean isSameVariantAs(StoredResponse other) {
        return variantKey.equals(other.variantKey);
    }
}
