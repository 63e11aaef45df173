package dev.cacheproxy.jetty;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a request goes: always the configured origin, its path prefix, then the request's own path and
 * query. The request's {@code Host} or absolute URI never chooses the destination.
 */
final class OriginTarget {

    /** Popular URLs are requested again and again: parse each target once. */
    private static final int RECENT_TARGETS = 10_000;

    private final URI origin;
    private final String base;
    private final Map<String, URI> recent = new ConcurrentHashMap<>();

    OriginTarget(URI origin) {
        this.origin = checked(origin);
        String prefix = origin.getRawPath() == null ? "" : origin.getRawPath();
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        this.base = origin.getScheme() + "://" + origin.getRawAuthority() + prefix;
    }

    URI origin() {
        return origin;
    }

    /**
     * The target for a request's raw path (relative to the servlet's context) and raw query.
     *
     * @throws IllegalArgumentException if they do not make a valid URI
     */
    URI resolve(String rawPath, String rawQuery) {
        String target = base + (rawPath.startsWith("/") ? rawPath : "/" + rawPath) + (rawQuery == null ? "" : "?" + rawQuery);
        URI parsed = recent.get(target);
        if (parsed == null) {
            try {
                parsed = new URI(target);
            } catch (URISyntaxException malformed) {
                throw new IllegalArgumentException("the request target is not a valid URI: " + malformed.getMessage(), malformed);
            }
            if (recent.size() >= RECENT_TARGETS) {
                recent.clear(); // crude bound: costs a few parses, never a wrong URI
            }
            recent.put(target, parsed);
        }
        return parsed;
    }

    private static URI checked(URI origin) {
        Objects.requireNonNull(origin, "origin");
        String scheme = origin.getScheme() == null ? "" : origin.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("origin must be an http or https URI, got \"" + origin + "\"");
        }
        if (origin.getHost() == null) {
            throw new IllegalArgumentException("origin must name a host, got \"" + origin + "\"");
        }
        if (origin.getRawQuery() != null || origin.getRawFragment() != null) {
            throw new IllegalArgumentException("origin must not have a query or fragment, got \"" + origin + "\"");
        }
        return origin;
    }
}
