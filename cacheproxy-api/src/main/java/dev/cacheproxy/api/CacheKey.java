package dev.cacheproxy.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The primary cache key of RFC 9111 §2: the target URI, with its scheme and host in lower case and
 * the default port and the fragment removed, optionally followed by further dimensions (a tenant
 * header, a cookie) that a {@link CacheKeyFunction} adds. The variants that {@code Vary} tells apart
 * share one key. Stores, collapsing and backend pools use {@link #value()} as the whole identity.
 *
 * <p>The text form is unambiguous, so that no request can forge another's key: the URI comes first and
 * never contains a space (a {@link URI} has none); each dimension follows as a space, its name
 * (visible ASCII without {@code =} or space), and, when the request has a value, {@code =} and the value
 * percent-encoded (every byte outside {@code A-Z a-z 0-9 - . _ ~}). An absent value and an empty one
 * differ ({@code " header:x-tenant"} and {@code " header:x-tenant="}). Last, when the request's path
 * is rewritten on its way to the origin, comes the engine's key-only part: a space, {@code @}, the client
 * prefix and the origin prefix, percent-encoded, joined by {@code =} ({@code " @/shop=/store"}); no
 * dimension's name begins with {@code @}, so nothing a request sends can look like it.
 *
 * @param value the key, as stores hold it
 */
public record CacheKey(String value) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param value the key, as stores hold it
     */
    public CacheKey {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a cache key needs a value");
        }
    }

    /**
     * The key for a request's target URI.
     *
     * @param target the absolute target URI
     * @return its key: scheme and host in lower case, no default port, no fragment
     */
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

    /**
     * This key with one more dimension.
     *
     * @param name  the dimension's name, such as {@code header:x-tenant}: visible ASCII without space or
     *              {@code =}, not beginning with {@code @} (the engine's key-only part begins so)
     * @param value the request's value for it; empty when the request has none
     * @return a new key; this one is unchanged
     * @throws IllegalArgumentException if the name is empty, begins with {@code @}, or has a space, {@code =} or a control character
     */
    public CacheKey withDimension(String name, Optional<String> value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!isDimensionName(name)) {
            throw new IllegalArgumentException("a key dimension's name is visible ASCII without space or '=', not beginning with '@', got \""
                    + name + "\"");
        }
        StringBuilder key = new StringBuilder(this.value.length() + name.length() + 16).append(this.value).append(' ').append(name);
        if (value.isPresent()) {
            key.append('=');
            appendEncoded(key, value.get(), false);
        }
        return new CacheKey(key.toString());
    }

    /**
     * This key with the request's path rewrite as its last, key-only part: the origin path a request names
     * depends on it as much as on the URI. This key itself when the rewrite is {@link PathRewrite#NONE}.
     *
     * @param rewrite the request's path rewrite
     * @return a new key, or this one for no rewrite
     */
    public CacheKey withPathRewrite(PathRewrite rewrite) {
        Objects.requireNonNull(rewrite, "rewrite");
        if (rewrite.isNone()) {
            return this;
        }
        StringBuilder key = new StringBuilder(value.length() + 32).append(value).append(" @");
        appendEncoded(key, rewrite.clientPrefix(), true);
        key.append('=');
        appendEncoded(key, rewrite.originPrefix(), true);
        return new CacheKey(key.toString());
    }

    /** Percent-encodes every byte outside {@code A-Z a-z 0-9 - . _ ~} (and {@code /} when asked). */
    private static void appendEncoded(StringBuilder key, String text, boolean keepSlash) {
        for (byte octet : text.getBytes(StandardCharsets.UTF_8)) {
            int c = octet & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~'
                    || (keepSlash && c == '/')) {
                key.append((char) c);
            } else {
                key.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }

    /** {@return the URI part of the key, without its dimensions} */
    public String uriPart() {
        int space = value.indexOf(' ');
        return space < 0 ? value : value.substring(0, space);
    }

    private static boolean isDimensionName(String name) {
        if (name.isEmpty() || name.charAt(0) == '@') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '=') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }
}
