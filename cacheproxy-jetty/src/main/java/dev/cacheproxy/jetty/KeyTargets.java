package dev.cacheproxy.jetty;

import dev.cacheproxy.core.BoundedMemo;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The URI a request's responses are stored under: its pool's key origin, then the path and query the
 * backend is asked for. It never depends on the backend that answers, nor on the request's own
 * {@code Host} or absolute URI (those only choose the route).
 */
final class KeyTargets {

    /** Popular URLs are requested again and again: parse each target once while it stays popular. */
    private static final int RECENT_TARGETS = 16_384;

    private final BoundedMemo<String, URI> parsed = new BoundedMemo<>(RECENT_TARGETS, KeyTargets::parse);

    /**
     * The key URI for this route match.
     *
     * @throws IllegalArgumentException if it does not make a valid URI
     */
    URI keyUri(Routes.Match match) {
        return parsed.apply(match.pool().keyBase() + match.keyPathQuery());
    }

    private static URI parse(String target) {
        try {
            return new URI(target);
        } catch (URISyntaxException malformed) {
            throw new IllegalArgumentException("the request target is not a valid URI: " + malformed.getMessage(), malformed);
        }
    }
}
