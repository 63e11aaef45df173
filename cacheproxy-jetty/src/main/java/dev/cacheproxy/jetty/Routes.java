package dev.cacheproxy.jetty;

import dev.cacheproxy.api.PathRewrite;
import dev.cacheproxy.core.RouteRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The routes of a proxy: each request goes to the pool of the route with the longest matching path
 * prefix, a route for the request's {@code Host} before one for any host. A request no route matches is
 * answered 404 without contacting any backend. Routes match the path as servlet containers and Spring
 * read it: dot-segments resolved, percent-encoded unreserved characters decoded, and {@code ;} path
 * parameters left out ({@code /admin;x/secret} takes the {@code /admin} route); a segment that is a
 * dot-segment with parameters ({@code ..;}, which Tomcat reads as {@code ..}) is refused. Routes choose
 * where a request goes; they are not an access-control boundary (a backend may read a path in ways no
 * proxy foresees: case, {@code //}, encoded slashes): guard what must be guarded in the backend.
 * Immutable.
 */
public final class Routes {

    private final List<Route> routes;
    /** Most specific first: host routes, then longer prefixes. */
    private final List<Route> byPrecedence;
    /** Each route's path rewrite, in the order of {@link #byPrecedence}. */
    private final List<PathRewrite> rewrites;

    private Routes(List<Route> routes) {
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("a proxy needs at least one route");
        }
        this.routes = List.copyOf(routes);
        List<String> seen = new ArrayList<>();
        for (Route route : this.routes) {
            String where = route.host().orElse("*") + " " + route.normalizedPrefix();
            if (seen.contains(where)) {
                throw new IllegalArgumentException("two routes for " + (route.host().isPresent() ? "host " + route.host().get() + " and " : "")
                        + "prefix " + route.pathPrefix());
            }
            seen.add(where);
        }
        List<Route> ordered = new ArrayList<>(this.routes);
        ordered.sort(Comparator.<Route>comparingInt(route -> route.host().isPresent() ? 0 : 1)
                .thenComparing(Comparator.comparingInt((Route route) -> route.normalizedPrefix().length()).reversed()));
        this.byPrecedence = List.copyOf(ordered);
        this.rewrites = byPrecedence.stream().map(Route::pathRewrite).toList();
    }

    /**
     * These routes, the most specific matching one winning whatever the order.
     *
     * @param routes the routes
     * @return them
     */
    public static Routes of(Route... routes) {
        return new Routes(List.of(routes));
    }

    /**
     * These routes.
     *
     * @param routes the routes
     * @return them
     */
    public static Routes of(List<Route> routes) {
        return new Routes(routes);
    }

    /**
     * Every request to one pool.
     *
     * @param pool the pool
     * @return one route for every request
     */
    public static Routes to(BackendPool pool) {
        return of(Route.all(pool));
    }

    /** {@return the routes} */
    public List<Route> routes() {
        return routes;
    }

    /** {@return each pool once, in the order of the routes} */
    public List<BackendPool> pools() {
        return List.copyOf(new LinkedHashSet<>(routes.stream().map(Route::pool).toList()));
    }

    /**
     * The route for a request, and the path and query to send its backend, as its
     * {@linkplain Route#pathRewrite() path rewrite} maps the request's.
     *
     * @param host     the request's {@code Host}, perhaps with a port; null when it has none
     * @param rawPath  the request's raw path within the servlet's context, beginning with {@code /}
     * @param rawQuery its raw query, or null
     * @throws IllegalArgumentException if a segment of the path is a dot-segment with {@code ;} parameters
     */
    Optional<Match> match(String host, String rawPath, String rawQuery) {
        String rooted = rawPath.startsWith("/") ? rawPath : "/" + rawPath;
        // Before dot-segments are resolved too: "/shop/.;/../x" is "/shop/x" to java.net.URI, "/x" to Tomcat.
        withoutParameters(rooted);
        String path = normalized(rooted);
        String routed = withoutParameters(path);
        String hostName = host == null ? null : hostWithoutPort(host);
        // Indexed, and no string built unless needed: this runs on every request, hits included.
        for (int i = 0; i < byPrecedence.size(); i++) {
            Route route = byPrecedence.get(i);
            if (route.host().isPresent() && !route.host().get().equals(hostName)) {
                continue;
            }
            String prefix = route.normalizedPrefix();
            if (prefix.isEmpty() || routed.equals(prefix)
                    || (routed.startsWith(prefix) && routed.charAt(prefix.length()) == '/')) {
                PathRewrite rewrite = rewrites.get(i);
                // A stripped prefix's segments lose their ;parameters with it: the rest, as it came, decides the backend's path.
                String clientPath = rewrite.clientPrefix().isEmpty() ? path
                        : rewrite.clientPrefix() + afterSegments(path, segments(rewrite.clientPrefix()));
                String backendPath = rewrite.originPath(clientPath);
                if (rawQuery == null) {
                    return Optional.of(new Match(route, rewrite, backendPath, clientPath));
                }
                String query = "?" + rawQuery;
                return Optional.of(new Match(route, rewrite, backendPath + query, clientPath + query));
            }
        }
        return Optional.empty();
    }

    /**
     * The path routes match and backends get: dot-segments removed and percent-encoded unreserved
     * characters decoded ({@link RouteRules#normalizedPath(String)}), as nginx does before it matches a
     * {@code location}. Otherwise {@code /shop/../admin} would take the {@code /shop} route and reach
     * {@code /store/../admin}, which the backend reads as {@code /admin}: a path outside the route.
     */
    private static String normalized(String path) {
        if (path.indexOf("/.") < 0 && path.indexOf('%') < 0) {
            return path; // nothing to normalise: the common case costs no parsing
        }
        try {
            return RouteRules.normalizedPath(path);
        } catch (IllegalArgumentException notAUriPath) {
            return path; // the request is answered 400 when its target is parsed
        }
    }

    /**
     * The path without its segments' {@code ;} parameters ({@code /a;x/b;y=1} to {@code /a/b}), as a
     * servlet container or Spring matches it; the path itself when it has none.
     *
     * @throws IllegalArgumentException if a segment is {@code .} or {@code ..} with parameters: Tomcat
     *                                  reads {@code /shop/..;/admin} as {@code /admin}, a path outside the route
     */
    static String withoutParameters(String path) {
        if (path.indexOf(';') < 0) {
            return path;
        }
        StringBuilder bare = new StringBuilder(path.length());
        int start = 0;
        while (start < path.length()) {
            int end = path.indexOf('/', start + 1);
            if (end < 0) {
                end = path.length();
            }
            String segment = path.substring(start, end); // with its leading '/'
            int semicolon = segment.indexOf(';');
            if (semicolon >= 0) {
                segment = segment.substring(0, semicolon);
                String name = segment.substring(1).replace("%2e", ".").replace("%2E", ".");
                if (name.equals(".") || name.equals("..")) {
                    throw new IllegalArgumentException("a path segment that is a dot-segment with ;parameters (such as ..;) is refused");
                }
            }
            bare.append(segment);
            start = end;
        }
        return bare.toString();
    }

    private static int segments(String prefix) {
        int count = 0;
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) == '/') {
                count++;
            }
        }
        return count;
    }

    /** The rest of the path after its first {@code count} segments, parameters and all: {@code ""} or from a {@code /}. */
    private static String afterSegments(String path, int count) {
        int end = 0;
        for (int i = 0; i < count && end < path.length(); i++) {
            int next = path.indexOf('/', end + 1);
            end = next < 0 ? path.length() : next;
        }
        return path.substring(end);
    }

    private static String hostWithoutPort(String host) {
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            return end < 0 ? name : name.substring(0, end + 1);
        }
        int colon = name.lastIndexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /**
     * A request's route and what its backend is asked for.
     *
     * @param route            the route that matched
     * @param rewrite          the route's path rewrite, which the cache key carries with the client's path
     * @param backendPathQuery the backend's path (the rewrite's) and query, appended to the chosen
     *                         backend's scheme and authority
     * @param clientPathQuery  the request's own path and query, appended to the pool's key origin for the
     *                         cache key, as nginx keys on {@code $request_uri}: the cache's route rules,
     *                         key functions and purges see the path the client asked for
     */
    record Match(Route route, PathRewrite rewrite, String backendPathQuery, String clientPathQuery) {
        Match {
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(rewrite, "rewrite");
            Objects.requireNonNull(backendPathQuery, "backendPathQuery");
            Objects.requireNonNull(clientPathQuery, "clientPathQuery");
        }

        BackendPool pool() {
            return route.pool();
        }
    }

    @Override
    public String toString() {
        return "Routes" + routes;
    }
}
