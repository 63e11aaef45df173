package dev.cacheproxy.core;

import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.RequestHead;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Per-route caching rules chosen by path pattern and method, written in code: what nginx does with
 * {@code location} blocks and {@code proxy_cache_valid}, {@code proxy_ignore_headers},
 * {@code proxy_cache_bypass}, and Varnish with {@code req.url} tests in {@code vcl_recv} and
 * {@code vcl_backend_response}. The first route that selects a request applies; a request no route
 * selects is decided by the policy underneath alone.
 *
 * <pre>{@code
 * RouteRules routes = RouteRules.builder()
 *         .prefix("/api/cart/", route -> route.neverCache())
 *         .glob("/api/products/**", route -> route.ttlWhenOriginSilent(Duration.ofSeconds(30)))
 *         .glob("/static/**", route -> route.ttlOverride(Duration.ofDays(1)).ignoreResponseFields("Set-Cookie"))
 *         .prefix("/", route -> route.bypassWhenCookie("session"))
 *         .build();
 * CachingEngine engine = CachingEngine.builder().routes(routes).build();
 * }</pre>
 *
 * <p>Routes match the path of the request's target URI, case-sensitively, after RFC 3986 normalisation
 * (see {@link #normalizedPath}).
 * Immutable and thread safe.
 */
public final class RouteRules {

    private static final RouteRules NONE = new RouteRules(List.of(), List.of());

    private final List<RouteRule> rules;
    private final List<Predicate<String>> matchers;

    private RouteRules(List<RouteRule> rules, List<Predicate<String>> matchers) {
        this.rules = List.copyOf(rules);
        this.matchers = List.copyOf(matchers);
    }

    /** {@return no routes: every request is decided by the policy alone} */
    public static RouteRules none() {
        return NONE;
    }

    /** {@return a builder for routes, tried in the order they are added} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the routes, in the order they are tried} */
    public List<RouteRule> rules() {
        return rules;
    }

    /**
     * The first route that selects this request, if any.
     *
     * @param request the client's request
     * @return its route, or empty
     */
    public Optional<RouteRule> routeFor(RequestHead request) {
        if (rules.isEmpty()) {
            return Optional.empty();
        }
        String path = normalizedPath(request);
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).selects(request.method(), path, matchers.get(i))) {
                return Optional.of(rules.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * The path routes match: RFC 3986 §6.2.2 normalised, so that a request cannot step around a rule by
     * spelling its path another way the origin reads the same: percent-encoded unreserved characters
     * decoded first ({@code /api/%63art/} is {@code /api/cart/}, {@code %2e%2e} is {@code ..}), then
     * dot-segments removed (§5.2.4, also those that would climb above the root). Other escapes, such as
     * {@code %2F}, stay as they are.
     */
    static String normalizedPath(RequestHead request) {
        return normalizedPath(request.uri().getRawPath());
    }

    /**
     * A raw path normalised as {@link #routeFor} matches it (see the rules above), e.g. for a proxy that
     * chooses a backend by path: {@code /shop/../admin} is {@code /admin}, whatever route {@code /shop}
     * has.
     *
     * @param rawPath a raw URI path; null or empty is {@code /}
     * @return the normalised path, beginning with {@code /}
     * @throws IllegalArgumentException if it is not a valid URI path
     */
    public static String normalizedPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        // Decoding first: "/public/%2e%2e/account" is "/account" to an origin, so it must be to the rules too.
        String decoded = decodeUnreserved(rawPath.startsWith("/") ? rawPath : "/" + rawPath);
        // Still a valid path: only unreserved characters were decoded. The fixed authority keeps "//x" a path.
        String path = URI.create("http://h" + decoded).normalize().getRawPath();
        // java.net.URI keeps ".." that would climb above the root; §5.2.4 drops them.
        while (path.startsWith("/../")) {
            path = path.substring(3);
        }
        return path.equals("/..") || path.isEmpty() ? "/" : path;
    }

    private static String decodeUnreserved(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder decoded = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length()) {
                int high = Character.digit(path.charAt(i + 1), 16);
                int low = Character.digit(path.charAt(i + 2), 16);
                if (high >= 0 && low >= 0 && isUnreserved(high * 16 + low)) {
                    decoded.append((char) (high * 16 + low));
                    i += 2;
                    continue;
                }
            }
            decoded.append(c);
        }
        return decoded.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /**
     * That policy with these routes' rules over it; the policy itself when there are no routes.
     *
     * @param policy the policy the rules refine
     * @return the combined policy
     */
    public CachePolicy over(CachePolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return rules.isEmpty() ? policy : new RoutePolicy(this, policy);
    }

    /** Collects routes. Not thread safe. */
    public static final class Builder {
        private final List<RouteRule> rules = new ArrayList<>();
        private final List<Predicate<String>> matchers = new ArrayList<>();

        private Builder() {
        }

        /**
         * A route for every path that starts with this prefix, e.g. {@code /api/cart/} (nginx's
         * {@code location /api/cart/}).
         *
         * @param pathPrefix the path prefix, starting with {@code /}
         * @param rules      sets the route's rules
         * @return this builder
         */
        public Builder prefix(String pathPrefix, Consumer<RouteRule.Builder> rules) {
            return add(new RouteRule.Builder(pathPrefix, false), rules, path -> path.startsWith(pathPrefix));
        }

        /**
         * A route for every path this glob matches: {@code **} any run of characters including {@code /},
         * {@code *} any run within one segment, {@code ?} one character other than {@code /}. A trailing
        /**
         * {@code /**} also matches the directory itself: {@code /api/**} matches {@code /api}.
         *
         * @param pathGlob the path pattern, starting with {@code /}
         * @param rules    sets the route's rules
         * @return this builder
         */
        public Builder glob(String pathGlob, Consumer<RouteRule.Builder> rules) {
            return add(new RouteRule.Builder(pathGlob, true), rules, Globs.pathGlob(pathGlob));
        }

        private Builder add(RouteRule.Builder route, Consumer<RouteRule.Builder> rules, Predicate<String> matcher) {
            Objects.requireNonNull(rules, "rules");
            rules.accept(route);
            this.rules.add(route.build());
            this.matchers.add(matcher);
            return this;
        }

        /**
         * The routes, in the order they were added.
         *
         * @return the routes
         */
        public RouteRules build() {
            return new RouteRules(rules, matchers);
        }
    }
}
