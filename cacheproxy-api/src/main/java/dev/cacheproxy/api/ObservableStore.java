package dev.cacheproxy.api;

/**
 * A {@link CacheStore} that reports {@linkplain CacheStoreStatistics statistics}. Optional: callers
 * check {@code store instanceof ObservableStore} and do without statistics otherwise.
 */
public interface ObservableStore extends CacheStore {

    /**
     * A snapshot of the store's statistics; thread safe and cheap enough to call for every scrape of a
     * metrics endpoint.
     *
     * @return the statistics now
     * @throws CacheStoreException when the store cannot tell
     */
    CacheStoreStatistics statistics();
}
