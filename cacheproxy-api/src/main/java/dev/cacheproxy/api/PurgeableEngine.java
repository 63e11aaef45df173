package dev.cacheproxy.api;

import java.net.URI;

/**
 * A {@link ProxyEngine} whose stored responses can be removed on demand, when content changed at the
 * origin. Purges go through the {@link CacheStore}, so with a store shared by several proxies a purge
 * through one removes the responses for all. Admin endpoints take this type, so the compiler checks
 * that the engine they are given can purge.
 *
 * <p>Thread safe. A purge that the store cannot carry out throws {@link CacheStoreException}; some
 * entries may have been removed by then.
 */
public interface PurgeableEngine extends ProxyEngine {

    /**
     * Removes the responses stored for this target URI, every {@code Vary} variant of it: those stored
     * under the key the engine's {@link CacheKeyFunction} gives a {@code GET} of it with no header fields.
     *
     * @param target the URI responses are stored under: the origin's
     * @return what was removed
     */
    PurgeResult purge(URI target);

    /**
     * Removes the responses stored under the key of this request, as Varnish's {@code return(purge)} does:
     * with a key that has a header or cookie dimension, the request carries the value whose responses go.
     * By default, those of its target URI.
     *
     * @param request the purge request, whose fields fill the key's dimensions
     * @return what was removed
     */
    default PurgeResult purge(RequestHead request) {
        return purge(request.uri());
    }

    /**
     * Removes every response stored with this tag (see {@link CacheTags}), with all variants of its URI.
     *
     * @param tag the tag
     * @return what was removed
     * @throws UnsupportedOperationException when the store keeps no tags (it is not a {@link TaggedStore})
     */
    PurgeResult purgeTag(String tag);

    /**
     * Removes everything stored.
     *
     * @return what was removed
     */
    PurgeResult purgeAll();
}
