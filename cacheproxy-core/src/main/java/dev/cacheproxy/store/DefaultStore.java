package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheStore;

/**
 * The store an engine uses when it is given none. The choice lives here, beside the stores, so that the
 * engine depends on the {@link CacheStore} interface alone: today it is an in-memory
 * {@link EhcacheStore} with its builder's defaults (a heap tier of
 * {@value EhcacheStore.Builder#DEFAULT_HEAP_BYTES} bytes of heap tier and
 * {@linkplain EhcacheStore.Builder#defaultOffHeapSize() 64 MiB off heap}, or less with a small JVM).
 */
public final class DefaultStore {

    private DefaultStore() {
    }

    /** {@return a new in-memory store with the defaults; the caller closes it (an engine closes the store it was built with)} */
    public static CacheStore inMemory() {
        return EhcacheStore.builder().build();
    }
}
