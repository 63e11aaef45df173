package dev.cacheproxy.api;

/**
 * A {@link ProxyEngine} that reports {@linkplain EngineStatistics statistics}, as an
 * {@link ObservableStore} is a {@link CacheStore} that does: metrics binders and admin endpoints take
 * this type, so the compiler checks that the engine they are given keeps statistics.
 */
public interface ObservableEngine extends ProxyEngine {

    /** {@return a snapshot of the engine's statistics; thread safe and cheap enough to call on every metrics scrape} */
    EngineStatistics statistics();
}
