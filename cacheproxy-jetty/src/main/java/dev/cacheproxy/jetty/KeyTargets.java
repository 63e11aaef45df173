package dev.cacheproxy.jetty;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The URI a request's responses are stored under: its pool's key origin, then the request's own path
 * (within the servlet's context, prefix not stripped) and query, as nginx's default key uses
 * {@code $request_uri}. It never depends on the backend that answers, nor on the request's own
 * {@code Host} or absolute URI (those only choose the route).
 */
final class KeyTargets {

    /** Popular URLs are requested again and again: parse each target once. */
    private static final int RECENT_TARGETS = 10_000;

    private final Map<String, URI> recent = new ConcurrentHashMap<>();

    /**
     * The key URI for this route match.
     *
     * @throws IllegalArgumentException if it does not make a valid URI
     */
    URI keyUri(Routes.Match match) {
        String target = match.pool().keyBase() + match.keyPathQuery();
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
}
