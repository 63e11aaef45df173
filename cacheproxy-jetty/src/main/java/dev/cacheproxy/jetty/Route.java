package dev.cacheproxy.jetty;

import dev.cacheproxy.api.PathRewrite;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which {@link BackendPool} requests go to: those whose path (within the servlet's context) is
 * {@code pathPrefix} or begins with it followed by {@code /}, and, when {@code host} is given, whose
 * {@code Host} names it (without its port, ignoring case). With {@code stripPrefix} the prefix is taken
 * off the path on the way to the backend ({@code /api/users} to {@code /users}), as nginx's
 * {@code location /api/ { proxy_pass http://pool/; }}; the backends' own path prefix, if any, is put
 * in front of what remains. That mapping ({@link #pathRewrite()}) is part of the cache key: two routes
 * that send one client path to different backend paths never share a stored response.
 *
 * @param host        the {@code Host} this route is for; empty for every host
 * @param pathPrefix  {@code /}, or a path beginning with {@code /} (a trailing {@code /} is ignored)
 * @param stripPrefix whether the prefix is taken off the path sent to the backend
 * @param pool        where the requests go
 */
public record Route(Optional<String> host, String pathPrefix, boolean stripPrefix, BackendPool pool) {

    /** A DNS name or IPv4 address, or an IPv6 address in brackets, as a {@code Host} field carries it. */
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\\[[0-9a-f:.]+\\]");

    /**
     * Checks the components: {@code null} throws {@code NullPointerException}, an invalid value {@code IllegalArgumentException}.
     *
     * @param host        the {@code Host} this route is for; empty for every host
     * @param pathPrefix  {@code /}, or a path beginning with {@code /} (a trailing {@code /} is ignored)
     * @param stripPrefix whether the prefix is taken off the path sent to the backend
     * @param pool        where the requests go
     */
    public Route {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        Objects.requireNonNull(pool, "pool");
        if (!pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException("a route's path prefix must begin with /, got \"" + pathPrefix + "\"");
        }
        if (pathPrefix.contains("?") || pathPrefix.contains("#")) {
            throw new IllegalArgumentException("a route's path prefix is a path, without query or fragment, got \"" + pathPrefix + "\"");
        }
        new PathRewrite(pathPrefix, ""); // a raw URI path: no space or control character
        host = host.map(name -> name.toLowerCase(Locale.ROOT));
        if (host.isPresent() && !HOST_NAME.matcher(host.get()).matches()) {
            throw new IllegalArgumentException("a route's host must be a host name or address without a port, got \"" + host.get() + "\"");
        }
    }

    /**
     * Requests under this prefix, for any host, sent with their path unchanged.
     *
     * @param pathPrefix the path prefix, starting with {@code /}
     * @param pool       where the requests go
     * @return the route
     */
    public static Route prefix(String pathPrefix, BackendPool pool) {
        return new Route(Optional.empty(), pathPrefix, false, pool);
    }

    /**
     * Every request, for any host, sent with its path unchanged.
     *
     * @param pool where the requests go
     * @return the route
     */
    public static Route all(BackendPool pool) {
        return prefix("/", pool);
    }

    /** {@return this route, with the prefix taken off the path on the way to the backend} */
    public Route stripped() {
        return new Route(host, pathPrefix, true, pool);
    }

    /**
     * The same route, only for requests whose {@code Host} names this host.
     *
     * @param hostName the host name, any case
     * @return a copy
     */
    public Route forHost(String hostName) {
        return new Route(Optional.of(hostName), pathPrefix, stripPrefix, pool);
    }

    /**
     * {@return how this route maps a client's path to its backends' path: the prefix (when stripped)
     * replaced by the pool's {@linkplain BackendPool#path() path}}
     */
    public PathRewrite pathRewrite() {
        return new PathRewrite(stripPrefix ? normalizedPrefix() : "", pool.path());
    }

    /** The prefix without a trailing slash: {@code ""} for {@code /}. */
    String normalizedPrefix() {
        String prefix = pathPrefix;
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return prefix;
    }
}
