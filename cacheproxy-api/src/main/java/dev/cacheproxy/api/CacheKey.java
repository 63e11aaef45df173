package dev.cacheproxy.api;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * The primary cache key of RFC 9111 §2: the target URI, with its scheme and host in lower case and
 * the default port and the fragment removed. The variants that {@code Vary} tells apart share one key.
 *
 * @param uri the normalised target URI, as a string
 */
public record CacheKey(String uri) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param uri the normalised target URI, as a string
     */
    public CacheKey {
        Objects.requireNonNull(uri, "uri");
        if (uri.isEmpty()) {
            throw new IllegalArgumentException("a cache key needs a URI");
        }
    }

    /**
     * The key for a request's target URI.
     *
     * @param target the absolute target URI
     * @return its key: scheme and host in lower case, no default port, no fragment
     */
    public static CacheKey of(URI target) {
        String scheme = target.getScheme().toLowerCase(Locale.ROOT);
        String host = target.getHost() == null ? target.getRawAuthority() : target.getHost().toLowerCase(Locale.ROOT);
        int port = target.getPort();
        boolean defaultPort = port < 0 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"));
        StringBuilder key = new StringBuilder(64).append(scheme).append("://").append(host);
        if (!defaultPort) {
            key.append(':').append(port);
        }
        String path = target.getRawPath();
        key.append(path == null || path.isEmpty() ? "/" : path);
        if (target.getRawQuery() != null) {
            key.append('?').append(target.getRawQuery());
        }
        return new CacheKey(key.toString());
    }

    @Override
    public String toString() {
        return uri;
    }
}
