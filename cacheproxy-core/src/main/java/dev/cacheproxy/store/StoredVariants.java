package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.StoredResponse;
import java.util.List;

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
}
