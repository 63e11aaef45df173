package dev.cacheproxy.spring.boot;

import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.RequestNormalizer;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.RouteRules;
import dev.cacheproxy.core.metrics.CacheproxyMetrics;
import dev.cacheproxy.jetty.CachingProxyServlet;
import dev.cacheproxy.servlet.CachingFilter;
import dev.cacheproxy.store.EhcacheStore;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * Auto-configuration of cacheproxy in a servlet web application: one {@link CachingEngine} and its
 * store, shared by the caching filter on {@code cacheproxy.filter.url-patterns} and by the proxy routes
 * of {@code cacheproxy.routes}. It does nothing until one of them is set.
 *
 * <p>A bean of the application replaces the matching default: a {@link CachePolicy}, a
 * {@link CacheStore}, a {@link CacheKeyFunction}, {@link RouteRules} or a {@link RequestNormalizer} is
 * used by the engine; a {@link CachingEngine} replaces the engine altogether.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({CachingEngine.class, Filter.class})
@ConditionalOnBooleanProperty(name = "cacheproxy.enabled", matchIfMissing = true)
@Conditional(OnCacheproxyInUse.class)
@EnableConfigurationProperties(CacheproxyProperties.class)
public class CacheproxyAutoConfiguration {

    /** Auto-configuration is created by Spring Boot. */
    public CacheproxyAutoConfiguration() {
    }

    /**
     * The default store, from {@code cacheproxy.store.*}, with the library's defaults for what is unset;
     * closed with the engine.
     *
     * @param properties the {@code cacheproxy.*} properties
     * @return the store
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(CacheStore.class)
    public EhcacheStore cacheproxyStore(CacheproxyProperties properties) {
        CacheproxyProperties.Store settings = properties.getStore();
        EhcacheStore.Builder store = EhcacheStore.builder().heapSize(settings.getHeapSize().toBytes());
        if (settings.getOffheapSize() != null) {
            store.offHeapSize(settings.getOffheapSize().toBytes());
        }
        if (settings.getDirectory() != null) {
            store.persistentDirectory(settings.getDirectory()).diskSize(settings.getDiskSize().toBytes());
        }
        return store.build();
    }

    /**
     * The engine, with the application's policy, key function, route rules and request normalizer
     * when it defines them.
     *
     * @param properties  the {@code cacheproxy.*} properties
     * @param store       the store
     * @param policy      the application's policy, if any
     * @param keys        the application's cache key function, if any
     * @param routeRules  the application's route rules, if any
     * @param normalizer  the application's request normalizer, if any
     * @return the engine; closing it closes the store
     * @throws IllegalStateException when {@code cacheproxy.max-object-size} is larger than the store keeps
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(CachingEngine.class)
    public CachingEngine cacheproxyEngine(CacheproxyProperties properties, CacheStore store, ObjectProvider<CachePolicy> policy,
            ObjectProvider<CacheKeyFunction> keys, ObjectProvider<RouteRules> routeRules, ObjectProvider<RequestNormalizer> normalizer) {
        CachingEngine.Builder engine = CachingEngine.builder()
                .store(store)
                .cacheName(properties.getCacheName())
                .collapseTimeout(properties.getCollapseTimeout())
                .showKeyInCacheStatus(properties.isShowKeyInCacheStatus());
        // Unset, the engine's default applies, and it shrinks to fit a small store; a size the user set must fit.
        DataSize maxObjectSize = properties.getMaxObjectSize();
        if (maxObjectSize != null) {
            engine.maxObjectSize(maxObjectSize.toBytes());
        }
        policy.ifUnique(engine::policy);
        keys.ifUnique(engine::cacheKeys);
        routeRules.ifUnique(engine::routes);
        normalizer.ifUnique(engine::normalizeRequests);
        try {
            return engine.build();
        } catch (IllegalArgumentException tooLargeForTheStore) {
            if (maxObjectSize == null) {
                throw tooLargeForTheStore;
            }
            throw new IllegalStateException("cacheproxy.max-object-size=" + maxObjectSize + " does not fit the store: "
                    + tooLargeForTheStore.getMessage() + " (cacheproxy.store.offheap-size, or cacheproxy.store.disk-size "
                    + "with a directory), or leave cacheproxy.max-object-size unset", tooLargeForTheStore);
        }
    }

    /**
     * The caching filter on {@code cacheproxy.filter.url-patterns}, for {@code REQUEST} dispatches, after
     * Spring Security's filters by default; disabled when no pattern is set.
     *
     * @param properties the {@code cacheproxy.*} properties
     * @param engine     the engine
     * @return the filter's registration
     */
    @Bean
    @ConditionalOnMissingBean(name = "cacheproxyFilter")
    public FilterRegistrationBean<CachingFilter> cacheproxyFilter(CacheproxyProperties properties, CachingEngine engine) {
        FilterRegistrationBean<CachingFilter> registration = new FilterRegistrationBean<>(new CachingFilter(engine));
        registration.setName("cacheproxy");
        registration.setUrlPatterns(properties.getFilter().getUrlPatterns());
        registration.setEnabled(!properties.getFilter().getUrlPatterns().isEmpty());
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.setOrder(properties.getFilter().getOrder());
        return registration;
    }

    /**
     * The proxy routes of {@code cacheproxy.routes}, each a {@link CachingProxyServlet} on its paths.
     *
     * @param properties the {@code cacheproxy.*} properties
     * @param engine     the engine
     * @return the initializer that registers their servlets
     */
    @Bean
    @ConditionalOnClass(CachingProxyServlet.class)
    public ServletContextInitializer cacheproxyRoutes(CacheproxyProperties properties, CachingEngine engine) {
        return new ProxyRoutes(properties, engine);
    }

    /** Micrometer meters, bound to every registry by Spring Boot's metrics auto-configuration. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {

        /**
         * The engine's meters ({@code cacheproxy.requests}...), tagged with the cache's name.
         *
         * @param properties the {@code cacheproxy.*} properties
         * @param engine     the engine
         * @return the binder
         */
        @Bean
        @ConditionalOnMissingBean(name = "cacheproxyMetrics")
        MeterBinder cacheproxyMetrics(CacheproxyProperties properties, CachingEngine engine) {
            return new CacheproxyMetrics(engine, Tags.of("cache", properties.getCacheName()));
        }
    }
}
