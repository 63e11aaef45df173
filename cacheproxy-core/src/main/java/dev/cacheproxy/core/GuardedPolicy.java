package dev.cacheproxy.core;

import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.Collapsing;
import dev.cacheproxy.api.ForwardReason;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.api.StoredResponse;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CachePolicy} seen through the rule "a policy fault never becomes a client error", as
 * {@link GuardedStore} sees a store: a decision that throws (or returns {@code null}) is logged and
 * replaced by the cautious one: forward uncached, do not store, no stale response, no variant.
 */
final class GuardedPolicy {

    /** The engine's logger: operators configure one category for the engine and its policy's faults. */
    private static final Logger LOG = LoggerFactory.getLogger(CachingEngine.class);

    private final CachePolicy policy;

    GuardedPolicy(CachePolicy policy) {
        this.policy = policy;
    }

    /** The policy's lookup, or a forward when it fails. */
    Lookup lookup(RequestHead request, List<StoredResponse> variants, Instant now) {
        try {
            return Objects.requireNonNull(policy.lookup(request, variants, now), "the policy's lookup returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to look up {}; forwarding uncached", request.uri(), fault);
            return new Lookup.Forward(ForwardReason.BYPASS, "policy failed: " + fault);
        }
    }

    /** The policy's storability, or "do not store" when it fails. */
    Storability storability(RequestHead request, ResponseHead response, Instant now) {
        try {
            return Objects.requireNonNull(policy.storability(request, response, now), "the policy's storability returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to decide storability of {}; not storing", request.uri(), fault);
            return new Storability.DoNotStore("policy failed: " + fault);
        }
    }

    /** The variant the policy selects, or none when it fails. */
    Optional<StoredResponse> selectVariant(RequestHead request, List<StoredResponse> variants) {
        if (variants.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Objects.requireNonNull(policy.selectVariant(request, variants), "the policy's selectVariant returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to select a variant for {}; using none", request.uri(), fault);
            return Optional.empty();
        }
    }

    /** Whether the stored response must be revalidated; true when the policy fails (the cautious reading). */
    boolean mustRevalidate(RequestHead request, StoredResponse stored) {
        try {
            return policy.mustRevalidate(stored);
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to say whether the response for {} must be revalidated; assuming it must",
                    request.uri(), fault);
            return true;
        }
    }

    /** Whether the request may collapse with others, or go alone when the policy fails (the cautious reading). */
    Collapsing collapsing(RequestHead request, Instant now) {
        try {
            return Objects.requireNonNull(policy.collapsing(request, now), "the policy's collapsing returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to decide on collapsing {}; not collapsing", request.uri(), fault);
            return new Collapsing.Refused("policy failed: " + fault);
        }
    }

    /** The reuse the policy allows in place of the origin's failure, or none when it fails. */
    Optional<Lookup.Reuse> reuseOnOriginError(RequestHead request, StoredResponse stored, OptionalInt errorStatus, Instant now) {
        try {
            return Objects.requireNonNull(policy.reuseOnOriginError(request, stored, errorStatus, now),
                    "the policy's reuseOnOriginError returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to decide on a stale response for {}; reporting the origin's failure", request.uri(), fault);
            return Optional.empty();
        }
    }
}
