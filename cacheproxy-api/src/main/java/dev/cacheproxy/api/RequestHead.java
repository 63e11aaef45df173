package dev.cacheproxy.api;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A request as the cache sees it: its method, its target URI, its header fields, when the server
 * established one the user it authenticated, and how a proxy rewrites its path toward the origin.
 *
 * @param method            the request method, upper case as sent (methods are case-sensitive, RFC 9110 §9.1)
 * @param uri               the absolute target URI: scheme, authority, path and query (RFC 9110 §7.1)
 * @param headers           the request header fields
 * @param authenticatedUser the name of the user the server authenticated by other means than an
 *                          {@code Authorization} field (a login form, a session, a client certificate);
 *                          such a request is as private as one with {@code Authorization} (RFC 9111 §3.5).
 *                          Never sent to the origin
 * @param pathRewrite       how the path of {@code uri} maps to the path the origin is asked for, when a
 *                          proxy's route rewrites it ({@link PathRewrite#NONE} otherwise): part of the
 *                          cache key, while key functions, route rules and purges read {@code uri}, the
 *                          path the client used. The path of {@code uri} must be one it covers
 */
public record RequestHead(String method, URI uri, HeaderFields headers, Optional<String> authenticatedUser, PathRewrite pathRewrite) {

    /**
     * Checks the components: {@code null} throws {@code NullPointerException}, an invalid value {@code IllegalArgumentException}.
     *
     * @param method            the request method, upper case as sent (methods are case-sensitive, RFC 9110 §9.1)
     * @param uri               the absolute target URI: scheme, authority, path and query (RFC 9110 §7.1)
     * @param headers           the request header fields
     * @param authenticatedUser the name of the user the server authenticated by other means than an
     *                          {@code Authorization} field (a login form, a session, a client certificate);
     *                          such a request is as private as one with {@code Authorization} (RFC 9111 §3.5).
     *                          Never sent to the origin
     * @param pathRewrite       how the path of {@code uri} maps to the path the origin is asked for;
     *                          {@link PathRewrite#NONE} when it is sent as it is
     */
    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(authenticatedUser, "authenticatedUser");
        Objects.requireNonNull(pathRewrite, "pathRewrite");
        if (!HeaderField.isToken(method)) {
            throw new IllegalArgumentException("not a valid request method: \"" + method + "\"");
        }
        if (!uri.isAbsolute() || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("the target URI must be absolute with an authority: " + uri);
        }
        if (!pathRewrite.isNone() && !pathRewrite.covers(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())) {
            throw new IllegalArgumentException("the path of " + uri + " is not under the rewritten prefix \"" + pathRewrite.clientPrefix() + "\"");
        }
    }

    /**
     * A request with no user authenticated by the server, its path sent to the origin as it is.
     *
     * @param method  the request method
     * @param uri     the absolute target URI
     * @param headers the request header fields
     */
    public RequestHead(String method, URI uri, HeaderFields headers) {
        this(method, uri, headers, Optional.empty(), PathRewrite.NONE);
    }

    /**
     * A request whose path is sent to the origin as it is.
     *
     * @param method            the request method
     * @param uri               the absolute target URI
     * @param headers           the request header fields
     * @param authenticatedUser the user the server authenticated, if any
     */
    public RequestHead(String method, URI uri, HeaderFields headers, Optional<String> authenticatedUser) {
        this(method, uri, headers, authenticatedUser, PathRewrite.NONE);
    }

    /**
     * Whether the method is this one (methods are case-sensitive).
     *
     * @param name a method name, e.g. {@code "GET"}
     * @return {@code true} when it is exactly this request's method
     */
    public boolean isMethod(String name) {
        return method.equals(name);
    }

    /**
     * Whether the request is made on behalf of an authenticated user: it has an {@code Authorization}
     * field or an {@link #authenticatedUser}. A shared cache stores the response to such a request only
     * when the response says it may be shared (RFC 9111 §3.5).
     *
     * @return {@code true} with {@code Authorization} or an authenticated user
     */
    public boolean isAuthenticated() {
        return authenticatedUser.isPresent() || headers.contains("Authorization");
    }

    /** {@return the path of the target URI, raw (percent-encoding kept), never empty: {@code "/"} at the least} */
    public String path() {
        String path = uri.getRawPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    /** {@return the lower-case scheme and authority, e.g. {@code http://example.com:8080}} */
    public String origin() {
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT);
    }

    /**
     * This request with other header fields, the rest the same.
     *
     * @param newHeaders the fields instead of these
     * @return a copy with them
     */
    public RequestHead withHeaders(HeaderFields newHeaders) {
        return new RequestHead(method, uri, newHeaders, authenticatedUser, pathRewrite);
    }

    /**
     * This request with another method (a {@code HEAD} asked as the {@code GET} it stands for), the rest the same.
     *
     * @param newMethod the method instead of this one
     * @return a copy with it
     */
    public RequestHead withMethod(String newMethod) {
        return new RequestHead(newMethod, uri, headers, authenticatedUser, pathRewrite);
    }

    /**
     * A {@code GET} of another URI with this request's fields, user and path rewrite: what an unsafe
     * request's {@code Location} invalidates (RFC 9111 §4.4).
     *
     * @param otherUri the absolute URI to get
     * @return the {@code GET}
     * @throws IllegalArgumentException if the rewrite does not cover the URI's path
     */
    public RequestHead getOf(URI otherUri) {
        return new RequestHead("GET", otherUri, headers, authenticatedUser, pathRewrite);
    }

    /**
     * This request made by this user, authenticated by the server.
     *
     * @param user the user's name
     * @return a copy with it
     */
    public RequestHead withAuthenticatedUser(String user) {
        return new RequestHead(method, uri, headers, Optional.of(Objects.requireNonNull(user, "user")), pathRewrite);
    }

    /**
     * This request with its path rewritten toward the origin as {@code rewrite} says, the rest the same.
     *
     * @param rewrite the path rewrite instead of this one
     * @return a copy with it
     * @throws IllegalArgumentException if the rewrite does not cover the URI's path
     */
    public RequestHead withPathRewrite(PathRewrite rewrite) {
        return new RequestHead(method, uri, headers, authenticatedUser, rewrite);
    }
}
