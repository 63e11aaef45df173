package dev.cacheproxy.spring.boot;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreStatistics;
import dev.cacheproxy.api.ObservableStore;
import java.net.URI;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The health of the cache's store, the contributor {@code cacheproxy}: {@code DOWN} when the store fails
 * a read, with the store's figures as details. A store fault never fails a request (it is a miss), so
 * {@code DOWN} here means "serving without a cache", not "serving errors". The backends of proxy routes
 * are {@link CacheproxyBackendsHealthIndicator}'s.
 */
public class CacheproxyHealthIndicator extends AbstractHealthIndicator {

    /** A key no response is stored under: reading it exercises the store without changing it. */
    private static final CacheKey PROBE = CacheKey.of(URI.create("http://cacheproxy.invalid/health-probe"));

    private final CacheStore store;

    /**
     * An indicator for this store.
     *
     * @param store the store, read directly so that its faults show
     */
    public CacheproxyHealthIndicator(CacheStore store) {
        super("cacheproxy store health check failed");
        this.store = store;
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
    }
}
