package dev.cacheproxy.spring.boot;

import dev.cacheproxy.api.PurgeResult;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.BackendPool;
import dev.cacheproxy.jetty.CachingProxyServlet;
import dev.cacheproxy.jetty.HealthCheck;
import dev.cacheproxy.jetty.Routes;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.web.servlet.ServletContextInitializer;

/**
 * Registers one {@link CachingProxyServlet} per {@code cacheproxy.routes} entry, async-supported, on the
 * route's paths, with its backends as one pool. A request keeps its whole path (context path aside) on
 * the way to the backend, as nginx's {@code proxy_pass http://backend;} does. Purges a client's URL as
 * each route's servlet keys a request for it.
 */
final class ProxyRoutes implements ServletContextInitializer, ClientUrlPurge {

    private final CacheproxyProperties properties;
    private final CachingEngine engine;
    /** The servlets registered, for purges. */
    private final List<CachingProxyServlet> servlets = new CopyOnWriteArrayList<>();

    ProxyRoutes(CacheproxyProperties properties, CachingEngine engine) {
        this.properties = properties;
        this.engine = engine;
    }

    @Override
    public void onStartup(ServletContext servletContext) {
        // Jetty lends the proxy's HTTP client its own thread pool; other containers (Tomcat) have none to lend.
        boolean inJetty = servletContext.getServerInfo().toLowerCase(Locale.ROOT).contains("jetty");
        for (Map.Entry<String, CacheproxyProperties.Route> entry : properties.getRoutes().entrySet()) {
            String name = entry.getKey();
            CacheproxyProperties.Route route = entry.getValue();
            if (route.getPaths().isEmpty()) {
                throw new IllegalStateException("cacheproxy.routes." + name + ".paths is empty: give the route's URL patterns, e.g. /api/*");
            }
            if (route.getBackends().isEmpty()) {
                throw new IllegalStateException("cacheproxy.routes." + name + ".backends is empty: give at least one http or https URI");
            }
            CachingProxyServlet servlet = new CachingProxyServlet(Routes.to(pool(name, route)), engine);
            ServletRegistration.Dynamic registration = servletContext.addServlet("cacheproxy-route-" + name, servlet);
            servlets.add(servlet);
            registration.setAsyncSupported(true);
            registration.setLoadOnStartup(1);
            registration.setInitParameter("timeout", Long.toString(route.getTimeout().toMillis()));
            if (!inJetty) {
                registration.setInitParameter("maxThreads", Integer.toString(route.getMaxThreads()));
            }
            CacheproxyProperties.Admin admin = properties.getAdmin();
            if (admin.getToken() != null && !admin.getToken().isEmpty()) {
                registration.setInitParameter("adminToken", admin.getToken());
                registration.setInitParameter("adminPath", admin.getPath());
                if (admin.getAllow() != null && !admin.getAllow().isEmpty()) {
                    registration.setInitParameter("adminAllow", admin.getAllow());
                }
            }
            Set<String> taken = registration.addMapping(route.getPaths().toArray(String[]::new));
            if (!taken.isEmpty()) {
                throw new IllegalStateException("cacheproxy.routes." + name + ".paths " + taken + " are mapped to another servlet already");
            }
        }
    }

    /**
     * Purges what a {@code GET} of this URL stored: as the filter keys it (the application's own
     * responses, or a backend's URL as purges named route entries before), and as each route's servlet
     * keys it (the backends' path, the route's rewrite). A servlet whose paths do not take the URL has
     * stored nothing under its key for it, so asking each costs nothing wrong.
     */
    @Override
    public PurgeResult purge(URI clientUrl) {
        PurgeResult asFiltered = engine.purge(clientUrl);
        long entries = asFiltered.entries().orElse(0);
        boolean counted = asFiltered.entries().isPresent();
        for (CachingProxyServlet servlet : servlets) {
            PurgeResult routed = servlet.purge(clientUrl);
            entries += routed.entries().orElse(0);
            counted &= routed.entries().isPresent();
        }
        return new PurgeResult("url " + clientUrl, counted ? OptionalLong.of(entries) : OptionalLong.empty());
    }

    private static BackendPool pool(String name, CacheproxyProperties.Route route) {
        BackendPool.Builder pool = BackendPool.builder(name).balance(route.getBalance());
        for (URI backend : route.getBackends()) {
            pool.backend(backend);
        }
        if (route.getHealthCheckPath() != null && !route.getHealthCheckPath().isEmpty()) {
            pool.healthCheck(HealthCheck.path(route.getHealthCheckPath()));
        }
        return pool.build();
    }
}
