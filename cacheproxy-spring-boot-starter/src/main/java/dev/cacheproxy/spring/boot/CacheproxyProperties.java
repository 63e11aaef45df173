package dev.cacheproxy.spring.boot;

import dev.cacheproxy.jetty.Balance;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code cacheproxy.*} properties: what the filter caches, where proxy routes go, the store's
 * sizes, and the admin endpoint of the routes. Nothing is cached until {@code cacheproxy.filter.url-patterns}
 * or a route is set.
 */
@ConfigurationProperties(prefix = "cacheproxy")
public class CacheproxyProperties {

    /** Settings with every property at its default; Spring Boot binds the properties onto them. */
    public CacheproxyProperties() {
    }

    /** Whether cacheproxy configures anything at all. */
    private boolean enabled = true;

    /** The cache's name in the Cache-Status response field, an RFC 9110 token. */
    private String cacheName = "cacheproxy";

    /**
     * The largest response body stored; larger ones stream through uncached. Unset: 8 MiB, or the largest body
     * the store keeps when that is less (a quarter of the off-heap tier, or of the disk tier with a directory);
     * a size set larger than the store keeps stops the application at start.
     */
    private DataSize maxObjectSize;

    /** How long a request waits for the same one already on its way to the origin (request collapsing); 0 turns it off. */
    private Duration collapseTimeout = Duration.ofSeconds(10);

    /** Whether Cache-Status shows each response's cache key (a debugging aid: a key can carry a header's or cookie's value). */
    private boolean showKeyInCacheStatus = false;

    private final Filter filter = new Filter();

    private final Store store = new Store();

    private final Admin admin = new Admin();

    /** Caching proxy routes by name: each sends the requests of its path to its backends, through the cache. */
    private final Map<String, Route> routes = new LinkedHashMap<>();

    /** {@return whether cacheproxy configures anything at all} */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Sets whether cacheproxy configures anything at all.
     *
     * @param enabled whether cacheproxy configures anything at all
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** {@return the cache's name in {@code Cache-Status}} */
    public String getCacheName() {
        return cacheName;
    }

    /**
     * Sets the cache's name in {@code Cache-Status}.
     *
     * @param cacheName the cache's name in {@code Cache-Status}
     */
    public void setCacheName(String cacheName) {
        this.cacheName = cacheName;
    }

    /** {@return the largest response body stored, or null for the engine's default} */
    public DataSize getMaxObjectSize() {
        return maxObjectSize;
    }

    /**
     * Sets the largest response body stored; null for the engine's default.
     *
     * @param maxObjectSize the largest response body stored; null for the engine's default
     */
    public void setMaxObjectSize(DataSize maxObjectSize) {
        this.maxObjectSize = maxObjectSize;
    }

    /** {@return how long a request waits for the same one on its way} */
    public Duration getCollapseTimeout() {
        return collapseTimeout;
    }

    /**
     * Sets how long a request waits for the same one on its way; zero turns collapsing off.
     *
     * @param collapseTimeout how long a request waits for the same one on its way; zero turns collapsing off
     */
    public void setCollapseTimeout(Duration collapseTimeout) {
        this.collapseTimeout = collapseTimeout;
    }

    /** {@return whether {@code Cache-Status} shows the cache key} */
    public boolean isShowKeyInCacheStatus() {
        return showKeyInCacheStatus;
    }

    /**
     * Sets whether {@code Cache-Status} shows the cache key.
     *
     * @param showKeyInCacheStatus whether {@code Cache-Status} shows the cache key
     */
    public void setShowKeyInCacheStatus(boolean showKeyInCacheStatus) {
        this.showKeyInCacheStatus = showKeyInCacheStatus;
    }

    /** {@return the filter's settings} */
    public Filter getFilter() {
        return filter;
    }

    /** {@return the store's settings} */
    public Store getStore() {
        return store;
    }

    /** {@return the routes' admin endpoint settings} */
    public Admin getAdmin() {
        return admin;
    }

    /** {@return the proxy routes, by name} */
    public Map<String, Route> getRoutes() {
        return routes;
    }

    /** The caching filter in front of the application's own servlets. */
    public static class Filter {

        /** Settings with the filter off; Spring Boot binds the properties onto them. */
        public Filter() {
        }

        /** Servlet URL patterns whose GET and HEAD responses are cached, e.g. /* or /api/*; none turns the filter off. */
        private List<String> urlPatterns = new ArrayList<>();

        /**
         * The filter's place in the chain. The default puts it after Spring Security's filters (order -100),
         * so that a cached response is never handed to a request those filters would refuse.
         */
        private int order = 0;

        /** {@return the URL patterns} */
        public List<String> getUrlPatterns() {
            return urlPatterns;
        }

        /**
         * Sets the servlet URL patterns whose responses the filter caches.
         *
         * @param urlPatterns servlet URL patterns, e.g. {@code /*}
         */
        public void setUrlPatterns(List<String> urlPatterns) {
            this.urlPatterns = urlPatterns;
        }

        /** {@return the filter's order} */
        public int getOrder() {
            return order;
        }

        /**
         * Sets the filter's order; keep it above -100 (Spring Security's).
         *
         * @param order the filter's order; keep it above -100 (Spring Security's)
         */
        public void setOrder(int order) {
            this.order = order;
        }
    }

    /** The default store: Ehcache with a heap tier, an off-heap tier and, with a directory, a disk tier. */
    public static class Store {

        /** Settings with the library's store defaults; Spring Boot binds the properties onto them. */
        public Store() {
        }

        /** The heap tier's budget in bytes of the entries it holds, for the hottest entries (32 MiB holds about 20,000 of 1 KiB). */
        private DataSize heapSize = DataSize.ofMegabytes(32);

        /**
         * The off-heap tier, the main one, allocated whole at start. Unset: 64 MiB, or a quarter of the JVM's
         * direct memory (-XX:MaxDirectMemorySize, else -Xmx) when that is less.
         */
        private DataSize offheapSize;

        /** A directory for a persistent disk tier, so that the cache survives a restart; one application per directory. */
        private Path directory;

        /** The disk tier's size, with a directory; larger than the off-heap tier. */
        private DataSize diskSize = DataSize.ofGigabytes(1);

        /** {@return the heap tier's budget} */
        public DataSize getHeapSize() {
            return heapSize;
        }

        /**
         * Sets the heap tier's budget.
         *
         * @param heapSize the heap tier's budget
         */
        public void setHeapSize(DataSize heapSize) {
            this.heapSize = heapSize;
        }

        /** {@return the off-heap tier's size, or null for the library's default} */
        public DataSize getOffheapSize() {
            return offheapSize;
        }

        /**
         * Sets the off-heap tier's size, at least 1 MB; null for the library's default.
         *
         * @param offheapSize the off-heap tier's size, at least 1 MB; null for the library's default
         */
        public void setOffheapSize(DataSize offheapSize) {
            this.offheapSize = offheapSize;
        }

        /** {@return the disk tier's directory, or null for memory only} */
        public Path getDirectory() {
            return directory;
        }

        /**
         * Sets the disk tier's directory.
         *
         * @param directory the disk tier's directory
         */
        public void setDirectory(Path directory) {
            this.directory = directory;
        }

        /** {@return the disk tier's size} */
        public DataSize getDiskSize() {
            return diskSize;
        }

        /**
         * Sets the disk tier's size.
         *
         * @param diskSize the disk tier's size
         */
        public void setDiskSize(DataSize diskSize) {
            this.diskSize = diskSize;
        }
    }

    /** Who may purge: the admin endpoint over HTTP on every proxy route (off without a token), and the Actuator endpoint's role. */
    public static class Admin {

        /** Settings with no admin token; Spring Boot binds the properties onto them. */
        public Admin() {
        }

        /** The secret every admin request sends as "Authorization: Bearer TOKEN", at least 16 characters; none turns the endpoint off. */
        private String token;

        /** The client addresses and CIDR blocks that may use it, e.g. 127.0.0.1, 10.0.0.0/8; none allows any address. */
        private String allow;

        /** Where the admin resources are, under each route's path. */
        private String path = "/_cacheproxy";

        /** The role a user needs to purge through the Actuator endpoint when Spring Security is in use. */
        private String role = "CACHEPROXY_ADMIN";

        /** {@return the token, or null} */
        public String getToken() {
            return token;
        }

        /**
         * Sets the bearer token.
         *
         * @param token the bearer token
         */
        public void setToken(String token) {
            this.token = token;
        }

        /** {@return the allowed addresses, or null for any} */
        public String getAllow() {
            return allow;
        }

        /**
         * Sets the client addresses and CIDR blocks that may use the admin endpoint.
         *
         * @param allow addresses and CIDR blocks, separated by commas
         */
        public void setAllow(String allow) {
            this.allow = allow;
        }

        /** {@return the admin path} */
        public String getPath() {
            return path;
        }

        /**
         * Sets the admin path, starting with {@code /}.
         *
         * @param path the admin path, starting with {@code /}
         */
        public void setPath(String path) {
            this.path = path;
        }

        /** {@return the role that may purge through the Actuator endpoint} */
        public String getRole() {
            return role;
        }

        /**
         * Sets the role a purge through the Actuator endpoint needs.
         *
         * @param role a role name without the {@code ROLE_} prefix
         */
        public void setRole(String role) {
            this.role = role;
        }
    }

    /** One caching proxy route: a servlet mapping and the backends behind it. */
    public static class Route {

        /** Settings with no paths and no backends yet; Spring Boot binds the properties onto them. */
        public Route() {
        }

        /** Servlet URL patterns of the route, e.g. /api/*; a request keeps its whole path on the way to the backend. */
        private List<String> paths = new ArrayList<>();

        /** The backends' absolute http or https URIs, optionally with a path prefix; several make a balanced pool. */
        private List<URI> backends = new ArrayList<>();

        /** How a backend is chosen among several. */
        private Balance balance = Balance.ROUND_ROBIN;

        /** A path each backend is checked on, actively; none leaves only passive ejection after failures. */
        private String healthCheckPath;

        /** How long a backend may take to answer before the client gets a 504. */
        private Duration timeout = Duration.ofSeconds(30);

        /**
         * Threads of the proxy's HTTP client in a container other than Jetty (Tomcat): Jetty lends its own,
         * elsewhere the proxy needs a pool of its own.
         */
        private int maxThreads = 64;

        /** {@return the URL patterns} */
        public List<String> getPaths() {
            return paths;
        }

        /**
         * Sets the route's servlet URL patterns.
         *
         * @param paths servlet URL patterns, e.g. {@code /api/*}
         */
        public void setPaths(List<String> paths) {
            this.paths = paths;
        }

        /** {@return the backends} */
        public List<URI> getBackends() {
            return backends;
        }

        /**
         * Sets the backends' URIs.
         *
         * @param backends absolute {@code http} or {@code https} URIs
         */
        public void setBackends(List<URI> backends) {
            this.backends = backends;
        }

        /** {@return how a backend is chosen} */
        public Balance getBalance() {
            return balance;
        }

        /**
         * Sets how a backend is chosen.
         *
         * @param balance how a backend is chosen
         */
        public void setBalance(Balance balance) {
            this.balance = balance;
        }

        /** {@return the health check path, or null} */
        public String getHealthCheckPath() {
            return healthCheckPath;
        }

        /**
         * Sets the path each backend is checked on.
         *
         * @param healthCheckPath a path starting with {@code /}
         */
        public void setHealthCheckPath(String healthCheckPath) {
            this.healthCheckPath = healthCheckPath;
        }

        /** {@return the backend timeout} */
        public Duration getTimeout() {
            return timeout;
        }

        /**
         * Sets how long a backend may take.
         *
         * @param timeout how long a backend may take
         */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        /** {@return the client's threads outside Jetty} */
        public int getMaxThreads() {
            return maxThreads;
        }

        /**
         * Sets the client's threads outside Jetty.
         *
         * @param maxThreads the client's threads outside Jetty
         */
        public void setMaxThreads(int maxThreads) {
            this.maxThreads = maxThreads;
        }
    }
}
