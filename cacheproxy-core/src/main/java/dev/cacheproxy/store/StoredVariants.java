package dev.cacheproxy.store;

import dev.cacheproxy.api.StoredResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The variants stored under one key: the value type of the caches behind {@link EhcacheStore} and
 * {@link JCacheStore}. Users who configure their own Ehcache cache name this type as its value type and
 * {@link StoredVariantsCodec} as its value serializer; otherwise it is opaque.
 *
 * @param responses the variants, oldest first; never empty in a value that was stored
 */
public record StoredVariants(List<StoredResponse> responses) {

    /**
     * What a codec returns for bytes it cannot read, so that a damaged entry is a value the store can
     * recognise and drop rather than an exception deep inside the cache library. Never stored.
     */
    static final StoredVariants UNREADABLE = new StoredVariants(List.of());

    /**
     * Creates one from its components. Copies collections: later changes to the caller's do not show.
     *
     * @param responses the variants, oldest first; never empty in a value that was stored
     */
    public StoredVariants {
        responses = List.copyOf(responses);
    }

    /** Whether this stands for an entry that could not be read; stored values always hold a response. */
    boolean isUnreadable() {
        return responses.isEmpty();
    }

    /** These variants with {@code response} replacing its own variant, the oldest dropped beyond {@code maxVariants}. */
    StoredVariants with(StoredResponse response, int maxVariants) {
        List<StoredResponse> updated = new ArrayList<>(responses.size() + 1);
        for (StoredResponse existing : responses) {
            if (!existing.isSameVariantAs(response)) {
                updated.add(existing);
            }
        }
        updated.add(response);
        updated.sort(Comparator.comparing(StoredResponse::responseTime));
        while (updated.size() > maxVariants) {
            updated.remove(0);
        }
        return new StoredVariants(updated);
    }
}
