package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.RequestHead;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The caching rules for the requests one path pattern (and optionally a set of methods) selects, as
 * {@link RouteRules} holds them: nginx's {@code location} with {@code proxy_cache_valid},
 * {@code proxy_ignore_headers} and {@code proxy_cache_bypass}, or an {@code if (req.url ~ ...)} in VCL.
 *
 * @param pattern              the path pattern as written, e.g. {@code /api/products/**} or {@code /static/}
 * @param glob                 whether the pattern is a glob ({@code *}, {@code **}, {@code ?}) rather than a prefix
 * @param methods              the methods it applies to; empty for every method
 * @param neverCache           whether responses on this route are never stored nor served from the cache
 * @param ttlWhenOriginSilent  the freshness lifetime of a response that gives none ({@code max-age},
 *                             {@code s-maxage} or {@code Expires}), like nginx's {@code proxy_cache_valid}
 * @param ttlOverride          the freshness lifetime of every stored response, whatever the origin says
 * @param ignoredResponseFields response fields ignored for caching decisions (lower case), as nginx's
 *                             {@code proxy_ignore_headers}; {@code set-cookie} and {@code vary} are also
 *                             left out of the stored copy
 * @param staleWhileRevalidate {@code stale-while-revalidate} for responses that give none
 * @param staleIfError         {@code stale-if-error} for responses that give none
 * @param bypassHeaders        request fields whose presence bypasses the cache (lower case)
 * @param bypassCookies        cookies whose presence bypasses the cache
 * @param collapse             whether requests on this route may wait for one another (request collapsing)
 */
public record RouteRule(
        String pattern,
        boolean glob,
        Set<String> methods,
        boolean neverCache,
        Optional<Duration> ttlWhenOriginSilent,
        Optional<Duration> ttlOverride,
        Set<String> ignoredResponseFields,
        Optional<Duration> staleWhileRevalidate,
        Optional<Duration> staleIfError,
        List<String> bypassHeaders,
        List<String> bypassCookies,
        boolean collapse) {

    /**
     * Checks the components: {@code null} throws {@code NullPointerException}, an invalid value {@code IllegalArgumentException}. Collections are copied, so later changes to the caller's do not show.
     *
     * @param pattern               the path pattern as written, e.g. {@code /api/products/**} or {@code /static/}
     * @param glob                  whether the pattern is a glob ({@code *}, {@code **}, {@code ?}) rather than a prefix
     * @param methods               the methods it applies to; empty for every method
     * @param neverCache            whether responses on this route are never stored nor served from the cache
     * @param ttlWhenOriginSilent   the freshness lifetime of a response that gives none ({@code max-age},
     *                              {@code s-maxage} or {@code Expires}), like nginx's {@code proxy_cache_valid}
     * @param ttlOverride           the freshness lifetime of every stored response, whatever the origin says
     * @param ignoredResponseFields response fields ignored for caching decisions (lower case), as nginx's
     *                              {@code proxy_ignore_headers}; {@code set-cookie} and {@code vary} are also
     *                              left out of the stored copy
     * @param staleWhileRevalidate  {@code stale-while-revalidate} for responses that give none
     * @param staleIfError          {@code stale-if-error} for responses that give none
     * @param bypassHeaders         request fields whose presence bypasses the cache (lower case)
     * @param bypassCookies         cookies whose presence bypasses the cache
     * @param collapse              whether requests on this route may wait for one another (request collapsing)
     */
    public RouteRule {
        Objects.requireNonNull(pattern, "pattern");
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("a route's path pattern starts with '/', got \"" + pattern + "\"");
        }
        methods = Set.copyOf(methods);
        Objects.requireNonNull(ttlWhenOriginSilent, "ttlWhenOriginSilent");
        Objects.requireNonNull(ttlOverride, "ttlOverride");
        ignoredResponseFields = Set.copyOf(ignoredResponseFields);
        Objects.requireNonNull(staleWhileRevalidate, "staleWhileRevalidate");
        Objects.requireNonNull(staleIfError, "staleIfError");
        bypassHeaders = List.copyOf(bypassHeaders);
        bypassCookies = List.copyOf(bypassCookies);
        if (neverCache && (ttlWhenOriginSilent.isPresent() || ttlOverride.isPresent())) {
            throw new IllegalArgumentException("route " + pattern + " is never cached; it cannot also have a TTL");
        }
    }

    /** Whether the route applies to a request with this method and (normalised) path. */
    boolean selects(String method, String path, Predicate<String> pathMatcher) {
        return (methods.isEmpty() || methods.contains(method)) && pathMatcher.test(path);
    }

    /** Why this request bypasses the cache, when one of the route's bypass fields or cookies is present. */
    Optional<String> bypassReason(RequestHead request) {
        for (String field : bypassHeaders) {
            if (request.headers().contains(field)) {
                return Optional.of("request has " + field);
            }
        }
        for (String cookie : bypassCookies) {
            if (RequestCookies.has(request.headers(), cookie)) {
                return Optional.of("request has cookie " + cookie);
            }
        }
        return Optional.empty();
    }

    /** How the route is named in reasons and logs. */
    String name() {
        return "route " + pattern + (methods.isEmpty() ? "" : " " + String.join(",", methods.stream().sorted().toList()));
    }

    /** Collects the rules of one route; handed to the function given to {@link RouteRules.Builder#prefix} or {@code glob}. */
    public static final class Builder {
        private final String pattern;
        private final boolean glob;
        private final Set<String> methods = new LinkedHashSet<>();
        private boolean neverCache;
        private Optional<Duration> ttlWhenOriginSilent = Optional.empty();
        private Optional<Duration> ttlOverride = Optional.empty();
        private final Set<String> ignoredResponseFields = new LinkedHashSet<>();
        private Optional<Duration> staleWhileRevalidate = Optional.empty();
        private Optional<Duration> staleIfError = Optional.empty();
        private final List<String> bypassHeaders = new ArrayList<>();
        private final List<String> bypassCookies = new ArrayList<>();
        private boolean collapse = true;

        Builder(String pattern, boolean glob) {
            this.pattern = pattern;
            this.glob = glob;
        }

        /**
         * Applies the route only to these methods (case-sensitive, e.g. {@code GET}); by default to every method.
         *
         * @param names the methods, e.g. {@code GET}
         * @return this builder
         */
        public Builder methods(String... names) {
            for (String name : names) {
                try {
                    new HeaderField(name, ""); // a method is a token, as a field name is
                } catch (IllegalArgumentException notAToken) {
                    throw new IllegalArgumentException("not a request method: \"" + name + "\"", notAToken);
                }
                methods.add(name);
            }
            return this;
        }

        /**
         * Never stores a response on this route and never answers one from the cache ({@code return(pass)}).
         *
         * @return this builder
         */
        public Builder neverCache() {
            this.neverCache = true;
            return this;
        }

        /**
         * The freshness lifetime of a response that states none (no {@code max-age}, {@code s-maxage} or
         * {@code Expires}), as nginx's {@code proxy_cache_valid}. {@code private}, {@code no-store} and the
         * other reasons not to store still apply.
         *
         * @param ttl the freshness lifetime
         * @return this builder
         */
        public Builder ttlWhenOriginSilent(Duration ttl) {
            this.ttlWhenOriginSilent = Optional.of(positive(ttl, "ttlWhenOriginSilent"));
            return this;
        }

        /**
         * The freshness lifetime of every response stored on this route, whatever its {@code max-age},
         * {@code s-maxage} or {@code Expires} say (Varnish's {@code beresp.ttl}). {@code private} and
         * {@code no-store} still prevent storing unless {@link #ignoreResponseFields ignored}.
         *
         * @param ttl the freshness lifetime
         * @return this builder
         */
        public Builder ttlOverride(Duration ttl) {
            this.ttlOverride = Optional.of(positive(ttl, "ttlOverride"));
            return this;
        }

        /**
         * Ignores these response fields for caching decisions, as nginx's {@code proxy_ignore_headers}:
         * e.g. {@code Cache-Control} and {@code Expires} (then the route's TTLs or heuristics decide),
         * {@code Set-Cookie} (the response is shared, without its cookies: those reach only the client
         * whose request fetched it), {@code Vary} (one variant for all: not stored either).
         *
         * @param names response field names, any case
         * @return this builder
         */
        public Builder ignoreResponseFields(String... names) {
            for (String name : names) {
                new HeaderField(name, ""); // validates the name
                ignoredResponseFields.add(name.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /**
         * {@code stale-while-revalidate} (RFC 5861 §3) for responses that give none and do not forbid serving stale.
         *
         * @param window how long past freshness a response may be served while it is refreshed
         * @return this builder
         */
        public Builder staleWhileRevalidate(Duration window) {
            this.staleWhileRevalidate = Optional.of(positive(window, "staleWhileRevalidate"));
            return this;
        }

        /**
         * {@code stale-if-error} (RFC 5861 §4) for responses that give none and do not forbid serving stale.
         *
         * @param window how long past freshness a response may be served when the origin fails
         * @return this builder
         */
        public Builder staleIfError(Duration window) {
            this.staleIfError = Optional.of(positive(window, "staleIfError"));
            return this;
        }

        /**
         * Bypasses the cache for a request with this header field, as nginx's {@code proxy_cache_bypass}:
         * it goes to the origin and its response is not stored (so it cannot change what others get).
         *
         * @param fieldName the request field's name, any case
         * @return this builder
         */
        public Builder bypassWhenHeader(String fieldName) {
            new HeaderField(fieldName, ""); // validates the name
            bypassHeaders.add(fieldName);
            return this;
        }

        /**
         * Bypasses the cache for a request with this cookie, e.g. a logged-in session; see {@link #bypassWhenHeader}.
         *
         * @param cookieName the cookie's name
         * @return this builder
         */
        public Builder bypassWhenCookie(String cookieName) {
            CacheKeys.requireCookieName(cookieName);
            bypassCookies.add(cookieName);
            return this;
        }

        /**
         * Requests on this route go to the origin at once, never waiting for one another (no request collapsing).
         *
         * @return this builder
         */
        public Builder doNotCollapse() {
            this.collapse = false;
            return this;
        }

        RouteRule build() {
            return new RouteRule(pattern, glob, methods, neverCache, ttlWhenOriginSilent, ttlOverride, ignoredResponseFields,
                    staleWhileRevalidate, staleIfError, bypassHeaders, bypassCookies, collapse);
        }

        private static Duration positive(Duration duration, String what) {
            Objects.requireNonNull(duration, what);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + duration);
            }
            return duration;
        }
    }
}
