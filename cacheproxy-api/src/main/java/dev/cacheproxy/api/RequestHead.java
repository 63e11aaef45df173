package dev.cacheproxy.api;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A request as the cache sees it: its method, its target URI and its header fields.
 *
 * @param method  the request method, upper case as sent (methods are case-sensitive, RFC 9110 §9.1)
 * @param uri     the absolute target URI: scheme, authority, path and query (RFC 9110 §7.1)
 * @param headers the request header fields
 */
public record RequestHead(String method, URI uri, HeaderFields headers) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param method  the request method, upper case as sent (methods are case-sensitive, RFC 9110 §9.1)
     * @param uri     the absolute target URI: scheme, authority, path and query (RFC 9110 §7.1)
     * @param headers the request header fields
     */
    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(headers, "headers");
        if (!HeaderField.isToken(method)) {
            throw new IllegalArgumentException("not a valid request method: \"" + method + "\"");
        }
        if (!uri.isAbsolute() || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("the target URI must be absolute with an authority: " + uri);
        }
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
        return new RequestHead(method, uri, newHeaders);
    }
}
