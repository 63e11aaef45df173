package dev.cacheproxy.api;

/**
 * A {@link ProxyEngine} that reports {@linkplain EngineStatistics statistics}, for metrics binders and
 * admin endpoints that should not depend on one engine class. Optional: check {@code instanceof}.
 */
public interface ObservableEngine {

    /** {@return a snapshot of the engine's statistics; thread safe and cheap enough to call on every metrics scrape} */
    EngineStatistics statistics();
}
