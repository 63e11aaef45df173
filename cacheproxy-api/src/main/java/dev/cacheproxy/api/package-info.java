/**
 * The service-provider interfaces of cacheproxy and the immutable values they exchange.
 *
 * <p>{@link dev.cacheproxy.api.CacheStore} holds responses, {@link dev.cacheproxy.api.CachePolicy}
 * decides what may be stored and reused, and {@link dev.cacheproxy.api.ProxyEngine} sequences the two
 * for a server adapter. Every value here is immutable and rejects {@code null}; decisions are sealed
 * types that carry the reason they were taken.
 */
package dev.cacheproxy.api;
