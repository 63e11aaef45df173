package dev.cacheproxy.spring.boot;

import dev.cacheproxy.api.PurgeResult;
import dev.cacheproxy.core.CachingEngine;
import java.net.URI;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/** The Actuator endpoint {@code cacheproxy}, when Actuator is present; the health contributors are {@link CacheproxyHealthAutoConfiguration}'s. */
@AutoConfiguration(after = CacheproxyAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(CachingEngine.class)
public class CacheproxyActuatorAutoConfiguration {

    private static final String SECURITY_FILTER_CHAIN = "org.springframework.security.web.SecurityFilterChain";

    /** Auto-configuration is created by Spring Boot. */
    public CacheproxyActuatorAutoConfiguration() {
    }

    /**
     * The endpoint; a purge needs {@code cacheproxy.admin.role} when the application has a Spring Security
     * filter chain. A URL purge removes what a {@code GET} of the URL stored through the filter or any
     * {@code cacheproxy.routes} route.
     *
     * @param engine       the engine
     * @param properties   the {@code cacheproxy.*} properties
     * @param beanFactory  where to look for Spring Security's filter chains
     * @param initializers where the routes' servlets are, looked up at purge time
     * @return the endpoint
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public CacheproxyEndpoint cacheproxyEndpoint(CachingEngine engine, CacheproxyProperties properties, ListableBeanFactory beanFactory,
                                                 ObjectProvider<ServletContextInitializer> initializers) {
        return new CacheproxyEndpoint(engine, () -> securityInUse(beanFactory), properties.getAdmin().getRole(),
                url -> purge(engine, initializers, url));
    }

    /** Through the routes when there are any (one bean: they purge the filter's key too), else the engine's own. */
    private static PurgeResult purge(CachingEngine engine, ObjectProvider<ServletContextInitializer> initializers, URI url) {
        List<ClientUrlPurge> routes = initializers.orderedStream().filter(ClientUrlPurge.class::isInstance)
                .map(ClientUrlPurge.class::cast).toList();
        return routes.isEmpty() ? engine.purge(url) : routes.get(0).purge(url);
    }

    private static boolean securityInUse(ListableBeanFactory beanFactory) {
        ClassLoader loader = CacheproxyActuatorAutoConfiguration.class.getClassLoader();
        if (!ClassUtils.isPresent(SECURITY_FILTER_CHAIN, loader)) {
            return false;
        }
        return beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(SECURITY_FILTER_CHAIN, loader), false, false).length > 0;
    }
}
