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

    public CacheKey {
        Objects.requireNonNull(uri, "uri");
        if (uri.isEmpty()) {
            throw new IllegalArgumentException("a cache key needs a URI");
        }
    }

    /** The key for a request's target URI. */
    public static CacheKey of(URI target) {
        if (isNormal(target)) {
            String whole = target.toString();
            // The usual case, and every hit's: the URI's own string (which it keeps) is already the key.
            if (whole.length() == normalLength(target)) {
                return new CacheKey(whole);
            }
        }
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

    /** Whether the URI's string is its key as it is: lower-case scheme and host, no default port, a path, no fragment. */
    private static boolean isNormal(URI target) {
        String scheme = target.getScheme();
        String host = target.getHost();
        String path = target.getRawPath();
        int port = target.getPort();
        return ("http".equals(scheme) || "https".equals(scheme))
                && host != null && isLowerCase(host)
                && target.getRawUserInfo() == null
                && !(port == 80 && scheme.equals("http")) && !(port == 443 && scheme.equals("https"))
                && path != null && !path.isEmpty()
                && target.getRawFragment() == null;
    }

    /** The length of scheme://host[:port]path[?query]: anything else in the string (an empty port) makes it longer. */
    private static int normalLength(URI target) {
        int length = target.getScheme().length() + 3 + target.getHost().length() + target.getRawPath().length();
        if (target.getPort() >= 0) {
            length += 1 + (int) Math.log10(Math.max(1, target.getPort())) + 1;
        }
        if (target.getRawQuery() != null) {
            length += 1 + target.getRawQuery().length();
        }
        return length;
    }

    private static boolean isLowerCase(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return uri;
    }
}
