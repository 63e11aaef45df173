package dev.cacheproxy.api;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a purge removed.
 *
 * @param scope   what was purged, for people: {@code "url http://origin/page"}, {@code "tag product-7"}, {@code "all"}
 * @param entries the cache entries removed (one per URI, with all its variants), when the store can tell
 */
public record PurgeResult(String scope, OptionalLong entries) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param scope   what was purged, for people: {@code "url http://origin/page"}, {@code "tag product-7"}, {@code "all"}
     * @param entries the cache entries removed (one per URI, with all its variants), when the store can tell
     */
    public PurgeResult {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(entries, "entries");
        if (entries.isPresent() && entries.getAsLong() < 0) {
            throw new IllegalArgumentException("a purge removes zero entries or more, not " + entries.getAsLong());
        }
    }
}
