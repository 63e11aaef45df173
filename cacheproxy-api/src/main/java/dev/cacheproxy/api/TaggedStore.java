package dev.cacheproxy.api;

/**
 * A {@link CacheStore} that can remove entries by tag, for purges by tag. Optional: an engine on a
 * store without it cannot purge by tag, but works otherwise.
 *
 * <p>A response's tags travel inside it: {@link CacheTags#of(StoredResponse)} reads them from the
 * stored head, so a store needs no other input to keep an index from tag to keys. It is enough to find
 * every key that holds a response with the tag; finding more (a key whose tagged response was since
 * replaced) only purges more than needed, which is safe. Finding fewer is not: an index that can forget
 * a tag while entries with it remain (an evicted index entry) breaks purges.
 *
 * <p>With a store shared by several proxies the index must be shared too, so that a purge through one
 * proxy finds what another stored.
 */
public interface TaggedStore extends CacheStore {

    /**
     * Removes every key that holds a response tagged {@code tag}, with all its variants.
     *
     * @param tag the tag
     * @return the keys removed
     * @throws CacheStoreException when the store cannot do it; some keys may have been removed
     */
    long removeTagged(String tag);
}
