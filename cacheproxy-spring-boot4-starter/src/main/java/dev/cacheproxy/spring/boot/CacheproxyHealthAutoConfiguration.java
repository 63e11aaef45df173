package dev.cacheproxy.spring.boot;

import dev.cacheproxy.core.CachingEngine;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The health contributors, when Actuator is present: {@code cacheproxy} for the store, part of the
 * application's overall health, and {@value BackendPools#CONTRIBUTOR} for the proxy routes' backends,
 * which is not (add it to a group such as readiness to act on it).
 */
@AutoConfiguration(after = CacheproxyAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(CachingEngine.class)
public class CacheproxyHealthAutoConfiguration {

    /** Auto-configuration is created by Spring Boot. */
    public CacheproxyHealthAutoConfiguration() {
    }

    /**
     * The store's health indicator, {@code cacheproxy}.
     *
     * @param engine the engine, whose store it reads (the application's own engine bean included)
     * @return the indicator
     */
    @Bean
    @ConditionalOnMissingBean(name = "cacheproxyHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("cacheproxy")
    public HealthIndicator cacheproxyHealthIndicator(CachingEngine engine) {
        return new CacheproxyHealthIndicator(engine.store());
    }

    /** The backends' health indicator, and the overall health without it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnEnabledHealthIndicator("cacheproxy-backends")
    static class Backends {

        /**
         * The backends' health indicator, {@value BackendPools#CONTRIBUTOR}.
         *
         * @param engine the engine the routes report their backends to
         * @return the indicator
         */
        @Bean
        @ConditionalOnMissingBean(name = "cacheproxyBackendsHealthIndicator")
        HealthIndicator cacheproxyBackendsHealthIndicator(CachingEngine engine) {
            return new CacheproxyBackendsHealthIndicator(new BackendPools(engine));
        }

        /**
         * Leaves the backends' indicator out of the overall health.
         *
         * @return the groups' post-processor
         */
        @Bean
        static HealthEndpointGroupsPostProcessor cacheproxyOverallHealthWithoutBackends() {
            return new OverallHealthWithoutBackends();
        }
    }
}
