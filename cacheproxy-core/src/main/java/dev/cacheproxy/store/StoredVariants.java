package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.StoredResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The variants stored under one key: the value type of the caches behind {@link EhcacheStore} and
 * {@link JCacheStore}, encoded by {@link StoredVariantsCodec}. Private to the stores: a user's Ehcache
 * XML configuration names it as its value type, nothing else does.
 *
 * @param responses the variants, oldest first; never empty in a value that was stored
 */
record StoredVariants(List<StoredResponse> responses) {

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

    /** These variants with {@code response} stored, as {@link CacheStore#withVariant} merges them for every store. */
    StoredVariants with(StoredResponse response, int maxVariants) {
        return new StoredVariants(CacheStore.withVariant(responses, response, maxVariants));
    }

    /**
     * These variants, the oldest dropped until the entry encodes in at most {@code maxBytes}; empty
     * when the newest alone is larger.
     */
    Optional<StoredVariants> within(long maxBytes) {
        List<StoredResponse> kept = new ArrayList<>(responses);
        StoredVariants candidate = this;
        while (StoredVariantsCodec.encodedSize(candidate) > maxBytes) {
            if (kept.size() <= 1) {
                return Optional.empty();
            }
            kept.remove(kept.stream().min(Comparator.comparing(StoredResponse::responseTime)).orElseThrow());
            candidate = new StoredVariants(kept);
        }
        return Optional.of(candidate);
    }
}
