package dev.cacheproxy.spring.boot;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreStatistics;
import dev.cacheproxy.api.ObservableStore;
import dev.cacheproxy.core.CachingEngine;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The health of the cache: {@code DOWN} when the store fails a read, or when every backend of a proxy
 * route's pool is out (ejected or failing its health checks); the store's figures and each backend's
 * state as details. A store fault never fails a request (it is a miss), so {@code DOWN} here means
 * "serving without a cache", not "serving errors".
 */
public class CacheproxyHealthIndicator extends AbstractHealthIndicator {

    /** A key no response is stored under: reading it exercises the store without changing it. */
    private static final CacheKey PROBE = CacheKey.of(URI.create("http://cacheproxy.invalid/health-probe"));

    private final CacheStore store;
    private final CachingEngine engine;

    /**
     * An indicator for this store and this engine's backends.
     *
     * @param store  the store, read directly so that its faults show
     * @param engine the engine, for its backends' figures
     */
    public CacheproxyHealthIndicator(CacheStore store, CachingEngine engine) {
        super("cacheproxy health check failed");
        this.store = store;
        this.engine = engine;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        store.variants(PROBE);
        builder.up();
        if (store instanceof ObservableStore observable) {
            CacheStoreStatistics statistics = observable.statistics();
            builder.withDetail("entries", statistics.entries()).withDetail("bytes", statistics.bytes())
                    .withDetail("evictions", statistics.evictions()).withDetail("corruptEntries", statistics.corruptEntries());
        }
        List<BackendStatistics> backends = engine.statistics().backends();
        if (!backends.isEmpty()) {
            Map<String, List<BackendStatistics>> pools = backends.stream()
                    .collect(Collectors.groupingBy(BackendStatistics::pool, LinkedHashMap::new, Collectors.toList()));
            Map<String, Object> details = new LinkedHashMap<>();
            pools.forEach((pool, rows) -> {
                Map<String, String> states = new LinkedHashMap<>();
                rows.forEach(row -> states.put(row.backend().toString(), row.state().name()));
                details.put(pool, states);
                if (rows.stream().noneMatch(row -> row.state() == BackendStatistics.State.HEALTHY)) {
                    builder.down().withDetail("unavailablePool", pool);
                }
            });
            builder.withDetail("backends", details);
        }
    }
}
