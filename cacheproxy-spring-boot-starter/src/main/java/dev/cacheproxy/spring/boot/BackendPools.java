package dev.cacheproxy.spring.boot;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.core.CachingEngine;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the engine's backend pools, as the backends health contributor reports it; independent of
 * Spring Boot's health API, which moved between Boot lines.
 */
public final class BackendPools {

    /** The name of the backends' health contributor, which the application's overall health leaves out. */
    public static final String CONTRIBUTOR = "cacheproxyBackends";

    private final CachingEngine engine;

    /**
     * The pools of this engine's proxy routes.
     *
     * @param engine the engine the routes report their backends to
     */
    public BackendPools(CachingEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** {@return each pool's backends and their states, and the pools none of whose backends takes requests} */
    public Report report() {
        Map<String, Map<String, String>> states = new LinkedHashMap<>();
        Map<String, Boolean> available = new LinkedHashMap<>();
        for (BackendStatistics row : engine.statistics().backends()) {
            states.computeIfAbsent(row.pool(), pool -> new LinkedHashMap<>()).put(row.backend().toString(), row.state().name());
            available.merge(row.pool(), row.state() == BackendStatistics.State.HEALTHY, Boolean::logicalOr);
        }
        List<String> unavailable = available.entrySet().stream().filter(pool -> !pool.getValue()).map(Map.Entry::getKey).toList();
        return new Report(states, unavailable);
    }

    /**
     * What {@link #report()} finds.
     *
     * @param states      by pool, each backend's URI and state ({@code HEALTHY}, {@code EJECTED} or {@code DOWN})
     * @param unavailable the pools none of whose backends (backups included) is {@code HEALTHY}
     */
    public record Report(Map<String, Map<String, String>> states, List<String> unavailable) {

        /**
         * Copies the components.
         *
         * @param states      by pool, each backend's URI and state
         * @param unavailable the pools none of whose backends is healthy
         */
        public Report {
            states = Collections.unmodifiableMap(new LinkedHashMap<>(states));
            unavailable = List.copyOf(unavailable);
        }
    }
}
