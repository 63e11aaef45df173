package dev.cacheproxy.api;

import java.util.function.Consumer;

/**
 * A {@link ProxyEngine} that reports {@linkplain EngineStatistics statistics}, as an
 * {@link ObservableStore} is a {@link CacheStore} that does: metrics binders and admin endpoints take
 * this type, so the compiler checks that the engine they are given keeps statistics.
 */
public interface ObservableEngine extends ProxyEngine {

    /** {@return a snapshot of the engine's statistics; thread safe and cheap enough to call on every metrics scrape} */
    EngineStatistics statistics();

    /**
     * Adds the figures of these backends to every later {@link #statistics()} snapshot, until removed.
     * A proxy that balances over a pool calls it when it starts. Engines that do not report backends
     * ignore it.
     *
     * @param report the backends' figures, read on every snapshot
     */
    default void addBackendReport(BackendReport report) {
    }

    /**
     * Stops adding the figures of these backends, e.g. when the proxy that reported them stops.
     *
     * @param report a report added before
     */
    default void removeBackendReport(BackendReport report) {
    }

    /**
     * Calls {@code listener} with every backend report added so far and with each one added later, so
     * that a metrics binder can register meters for backends that appear after it was bound. Engines
     * that do not report backends never call it.
     *
     * @param listener called once per report, on the thread that adds it
     */
    default void whenBackendReportAdded(Consumer<BackendReport> listener) {
    }
}
