package dev.cacheproxy.spring.boot;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of the proxy routes' backends, the contributor {@value BackendPools#CONTRIBUTOR}: {@code DOWN}
 * when every backend of some pool is out (ejected after failures, or failing its health checks), with each
 * backend's state as details. It is left out of the application's overall health, so that a backend outage
 * never fails a liveness probe; add it to a group, such as readiness, to act on it.
 */
public class CacheproxyBackendsHealthIndicator extends AbstractHealthIndicator {

    private final BackendPools pools;

    /**
     * An indicator for these pools.
     *
     * @param pools the pools of the engine's proxy routes
     */
    public CacheproxyBackendsHealthIndicator(BackendPools pools) {
        super("cacheproxy backends health check failed");
        this.pools = pools;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        BackendPools.Report report = pools.report();
        if (report.unavailable().isEmpty()) {
            builder.up();
        } else {
            builder.down().withDetail("unavailablePools", report.unavailable());
        }
        builder.withDetail("pools", report.states());
    }
}
