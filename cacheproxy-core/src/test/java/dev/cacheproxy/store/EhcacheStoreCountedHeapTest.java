package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheStore;

/** The store contract once more with the heap tier counted in entries (Ehcache's own), as before it was sized in bytes. */
final class EhcacheStoreCountedHeapTest extends CacheStoreContract {

    @Override
    protected CacheStore newStore() {
        return EhcacheStore.builder().heapEntries(10).offHeapMegabytes(16).build();
    }
}
