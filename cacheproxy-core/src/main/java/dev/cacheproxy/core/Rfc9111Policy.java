package dev.cacheproxy.core;

import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The shared-cache policy of RFC 9111, with RFC 5861 ({@code stale-while-revalidate},
 * {@code stale-if-error}) and RFC 9213 (targeted cache-control fields such as {@code CDN-Cache-Control}):
 * what a reverse proxy may store and when it may reuse it. Each rule lives in its own class, named for
 * its RFC section; this class only asks them in order.
 *
 * <p>Thread safe and immutable.
 */
public final class Rfc9111Policy implements CachePolicy {

    /** The targeted field every CDN-like cache obeys (RFC 9213 §2). */
    public static final String CDN_CACHE_CONTROL = "CDN-Cache-Control";

    private static final Rfc9111Policy SHARED_CACHE = builder().build();

    private final List<String> targetedFields;
    private final Duration staleIfUnreachable;
    private final PrivacyRule.Options privacy;

    private Rfc9111Policy(Builder builder) {
        this.targetedFields = List.copyOf(builder.targetedFields);
        this.staleIfUnreachable = builder.staleIfUnreachable;
        this.privacy = new PrivacyRule.Options(builder.storeResponsesThatSetCookies, builder.heuristicFreshnessForCredentials,
                builder.storeResponsesToCookieRequests);
    }

    /**
     * The policy of a shared cache, such as a reverse proxy, as RFC 9111 defines it: obeys
     * {@code CDN-Cache-Control} over {@code Cache-Control}, and serves a response that had explicit
     * freshness up to one hour stale while the origin cannot be reached, unless the response forbids it.
     * Safe by default where RFC 9111 is not: a response that sets a cookie is not stored; a response to a
     * request with {@code Cookie} is stored only when it says it may be shared ({@code public},
     * {@code s-maxage} or {@code Vary: Cookie}); and a response to a request with {@code Cookie} or
     * {@code Authorization} is not given heuristic freshness.
     *
     * @return the policy
     */
    public static Rfc9111Policy sharedCache() {
        return SHARED_CACHE;
    }

    /** {@return a builder starting from {@link #sharedCache()}'s settings} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the targeted cache-control fields this policy obeys, highest precedence first} */
    public List<String> targetedFields() {
        return targetedFields;
    }

    @Override
    public Storability storability(RequestHead request, ResponseHead response, Instant now) {
        return PrivacyRule.narrow(request, response, StorageRule.decide(request, response, targetedFields, now),
                targetedFields, privacy);
    }

    @Override
    public Lookup lookup(RequestHead request, List<StoredResponse> variants, Instant now) {
        return ReuseRule.decide(request, variants, targetedFields, now);
    }

    @Override
    public Optional<StoredResponse> selectVariant(RequestHead request, List<StoredResponse> variants) {
        return ReuseRule.select(request, variants);
    }

    @Override
    public boolean mustRevalidate(StoredResponse stored) {
        return StaleRule.mustNotServeStale(ResponseDirectives.of(stored.headers(), targetedFields).directives());
    }

    @Override
    public Optional<Lookup.Reuse> reuseOnOriginError(RequestHead request, StoredResponse stored, OptionalInt errorStatus,
                                                     Instant now) {
        return StaleRule.onOriginError(request, stored, errorStatus, targetedFields, staleIfUnreachable, now);
    }

    /** Configures an {@link Rfc9111Policy}. Not thread safe. */
    public static final class Builder {
        private final List<String> targetedFields = new ArrayList<>(List.of(CDN_CACHE_CONTROL));
        private Duration staleIfUnreachable = Duration.ofHours(1);
        private boolean storeResponsesThatSetCookies;
        private boolean heuristicFreshnessForCredentials;
        private boolean storeResponsesToCookieRequests;

        private Builder() {
        }

        /**
         * Obeys this targeted field (RFC 9213) before any other, e.g. {@code Acme-Cache-Control} for a
         * field only this cache reads; {@code CDN-Cache-Control} stays next in line.
         *
         * @param fieldName the field's name, an RFC 9110 token
         * @return this builder
         */
        public Builder targetedField(String fieldName) {
            Objects.requireNonNull(fieldName, "fieldName");
            new HeaderField(fieldName, ""); // validates the name
            if (fieldName.equalsIgnoreCase("Cache-Control")) {
                throw new IllegalArgumentException("Cache-Control is not a targeted field; it always applies last");
            }
            targetedFields.removeIf(fieldName::equalsIgnoreCase);
            targetedFields.add(0, fieldName);
            return this;
        }

        /**
         * Obeys no targeted field at all, not even {@code CDN-Cache-Control}: only {@code Cache-Control}.
         *
         * @return this builder
         */
        public Builder noTargetedFields() {
            targetedFields.clear();
            return this;
        }

        /**
         * How stale a stored response that had explicit freshness ({@code max-age}, {@code s-maxage},
         * {@code Expires}) may be served when the origin cannot be reached and the response neither allows
         * it ({@code stale-if-error}) nor forbids it ({@code must-revalidate}...); zero never. Default one
         * hour. A response whose freshness was only guessed is never served stale this way.
         *
         * @param maximumStaleness the longest past its freshness a response may then be served
         * @return this builder
         */
        public Builder staleIfUnreachable(Duration maximumStaleness) {
            Objects.requireNonNull(maximumStaleness, "maximumStaleness");
            if (maximumStaleness.isNegative()) {
                throw new IllegalArgumentException("staleness must not be negative, got " + maximumStaleness);
            }
            this.staleIfUnreachable = maximumStaleness;
            return this;
        }

        /**
         * Whether a response that sets a cookie may be stored when it says it may be shared ({@code public}
         * or {@code s-maxage}). It is then stored without its {@code Set-Cookie}: the cookie reaches only
         * the client whose request produced it. Default false: such a response is not stored at all, as
         * nginx and Varnish do.
         *
         * @param store {@code true} to store them without their cookies
         * @return this builder
         */
        public Builder storeResponsesThatSetCookies(boolean store) {
            this.storeResponsesThatSetCookies = store;
            return this;
        }

        /**
         * Whether a response to a request with {@code Cookie} may be stored on its freshness alone, as
         * RFC 9111 and nginx allow. Default false: it is stored only when it says it may be shared
         * ({@code public} or {@code s-maxage}, in {@code Cache-Control} or the targeted field in force) or
         * varies on {@code Cookie}, because a page made for one logged-in user often carries just
         * {@code max-age}. Cookies that never change a response are better removed before the cache sees
         * them ({@code RequestNormalizers.removeCookies}); then this rule does not apply to them.
         *
         * @param store {@code true} to store them on their freshness alone
         * @return this builder
         */
        public Builder storeResponsesToCookieRequests(boolean store) {
            this.storeResponsesToCookieRequests = store;
            return this;
        }

        /**
         * Whether a response to a request with {@code Cookie} or {@code Authorization} (or, behind the
         * filter, an authenticated principal) may be given heuristic freshness (RFC 9111 §4.2.2) when it
         * has no explicit freshness. Default false: such a response is not stored; explicit freshness
         * ({@code max-age}, {@code s-maxage}, {@code Expires}) still applies.
         *
         * @param allow {@code true} to allow it
         * @return this builder
         */
        public Builder heuristicFreshnessForCredentials(boolean allow) {
            this.heuristicFreshnessForCredentials = allow;
            return this;
        }

        /**
         * The policy.
         *
         * @return the policy
         */
        public Rfc9111Policy build() {
            return new Rfc9111Policy(this);
        }
    }
}
