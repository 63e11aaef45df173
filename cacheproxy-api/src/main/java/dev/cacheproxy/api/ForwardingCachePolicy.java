package dev.cacheproxy.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A policy that asks another for every decision; extend it and override what you want to change.
 *
 * <pre>{@code
 * CachePolicy policy = new ForwardingCachePolicy(Rfc9111Policy.sharedCache()) {
 *     @Override
 *     public Storability storability(RequestHead request, ResponseHead response, Instant now) {
 *         if (request.path().startsWith("/api/")) {
 *             return new Storability.DoNotStore("policy: /api/** is never cached");
 *         }
 *         return super.storability(request, response, now);
 *     }
 * };
 * }</pre>
 */
public abstract class ForwardingCachePolicy implements CachePolicy {

    private final CachePolicy delegate;

    /**
     * A policy that asks this one for every decision it does not override.
     *
     * @param delegate the policy to ask, usually {@code Rfc9111Policy.sharedCache()}
     */
    protected ForwardingCachePolicy(CachePolicy delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** {@return the policy this one asks} */
    protected CachePolicy delegate() {
        return delegate;
    }

    @Override
    public Storability storability(RequestHead request, ResponseHead response, Instant now) {
        return delegate.storability(request, response, now);
    }

    @Override
    public Lookup lookup(RequestHead request, List<StoredResponse> variants, Instant now) {
        return delegate.lookup(request, variants, now);
    }

    @Override
    public Optional<StoredResponse> selectVariant(RequestHead request, List<StoredResponse> variants) {
        return delegate.selectVariant(request, variants);
    }

    @Override
    public boolean mustRevalidate(StoredResponse stored) {
        return delegate.mustRevalidate(stored);
    }

    @Override
    public Optional<Lookup.Reuse> reuseOnOriginError(RequestHead request, StoredResponse stored, OptionalInt errorStatus,
                                                     Instant now) {
        return delegate.reuseOnOriginError(request, stored, errorStatus, now);
    }

    @Override
    public Collapsing collapsing(RequestHead request, Instant now) {
        return delegate.collapsing(request, now);
    }
}
