/**
 * The {@link dev.cacheproxy.api.CacheStore}s cacheproxy ships: {@link dev.cacheproxy.store.EhcacheStore}
 * (heap, off-heap and persistent disk tiers; the default, see {@link dev.cacheproxy.store.DefaultStore})
 * and {@link dev.cacheproxy.store.JCacheStore} (any JCache, for several proxies sharing a distributed
 * cache). Their value type and binary format ({@code StoredVariants}, {@code StoredVariantsCodec}) and
 * their tag index are private to this package.
 */
package dev.cacheproxy.store;
