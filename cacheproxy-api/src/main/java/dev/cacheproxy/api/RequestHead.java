package dev.cacheproxy.api;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A request as the cache sees it: its method, its target URI, its header fields and, when the server
 * established one, the user it authenticated.
 *
 * @param method            the request method, upper case as sent (methods are case-sensitive, RFC 9110 §9.1)
 * @param uri               the absolute target URI: scheme, authority, path and query (RFC 9110 §7.1)
 * @param headers           the request header fields
 * @param authenticatedUser the name of the user the server authenticated by other means than an
 *                          {@code Authorization} field (a login form, a session, a client certificate);
 *                          such a request is as private as one with {@code Authorization} (RFC 9111 §3.5).
 *                          Never sent to the origin
 */
public record RequestHead(String method, URI uri, HeaderFields headers, Optional<String> authenticatedUser) {

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
     */
    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(authenticatedUser, "authenticatedUser");
        if (!HeaderField.isToken(method)) {
            throw new IllegalArgumentException("not a valid request method: \"" + method + "\"");
        }
        if (!uri.isAbsolute() || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("the target URI must be absolute with an authority: " + uri);
        }
    }

    /**
     * A request with no user authenticated by the server.
     *
     * @param method  the request method
     * @param uri     the absolute target URI
     * @param headers the request header fields
     */
    public RequestHead(String method, URI uri, HeaderFields headers) {
        this(method, uri, headers, Optional.empty());
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
     * This request with other header fields.
     *
     * @param newHeaders the fields instead of these
     * @return a copy with them
     */
    public RequestHead withHeaders(HeaderFields newHeaders) {
        return new RequestHead(method, uri, newHeaders, authenticatedUser);
    }

    /**
     * This request with another method (a {@code HEAD} asked as the {@code GET} it stands for), the rest the same.
     *
     * @param newMethod the method instead of this one
     * @return a copy with it
     */
    public RequestHead withMethod(String newMethod) {
        return new RequestHead(newMethod, uri, headers, authenticatedUser);
    }

    /**
     * This request made by this user, authenticated by the server.
     *
     * @param user the user's name
     * @return a copy with it
     */
    public RequestHead withAuthenticatedUser(String user) {
        return new RequestHead(method, uri, headers, Optional.of(Objects.requireNonNull(user, "user")));
    }
}
