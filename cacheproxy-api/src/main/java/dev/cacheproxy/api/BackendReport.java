package dev.cacheproxy.api;

import java.util.List;

/**
 * A live view of the backends a proxy balances over, which it hands to its engine
 * ({@link ObservableEngine#addBackendReport}) so that their figures appear in the engine's statistics.
 * The set of backends is fixed for the report's life; their figures change.
 */
@FunctionalInterface
public interface BackendReport {

    /** {@return the backends' figures now, in a stable order; thread safe and cheap enough for every metrics scrape} */
    List<BackendStatistics> backends();
}
