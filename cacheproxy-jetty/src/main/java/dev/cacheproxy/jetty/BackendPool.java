package dev.cacheproxy.jetty;

import dev.cacheproxy.api.BackendStatistics;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named group of backends that serve the same content, with how requests are spread over them
 * ({@link Balance}), how their health is judged ({@link PassiveHealth}, {@link HealthCheck}), how many
 * requests each takes at once, and how failed requests are retried ({@link RetryBudget}). nginx calls
 * it an {@code upstream}, Varnish a director, Envoy a cluster.
 *
 * <pre>{@code
 * BackendPool api = BackendPool.builder("api")
 *         .backend(URI.create("http://10.0.0.1:8080"))
 *         .backend(URI.create("http://10.0.0.2:8080"), 2)      // twice the share
 *         .backup(URI.create("http://10.0.0.9:8080"))          // only when the others are out
 *         .healthCheck(HealthCheck.path("/healthz"))
 *         .build();
 * }</pre>
 *
 * <p>Which backend answered never changes what is cached: responses are stored under the pool's
 * {@linkplain #keyOrigin() key origin}, so collapsing and stored responses work across the pool. The
 * backends share one {@linkplain #path() path} ({@code http://10.0.0.1:8080/v2}): it is put in front of
 * every path they are asked for, and it is part of the cache key, not of the path route rules see. When
 * every backend is out, the pool tries them all anyway (panic mode) rather than failing every request,
 * and stored responses still serve as the cache rules allow ({@code stale-if-error}).
 *
 * <p>Thread safe. The pool's health and figures live as long as the pool: give each proxy its own.
 */
public final class BackendPool {

    private static final Logger LOG = LoggerFactory.getLogger(BackendPool.class);

    /** Jetty's client default: connections per destination. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** Jetty's client default: requests queued per destination. */
    public static final int DEFAULT_MAX_QUEUED = 1024;

    private final String name;
    private final List<Backend> backends;
    private final Balance balance;
    private final PassiveHealth passiveHealth;
    private final Optional<HealthCheck> healthCheck;
    private final RetryBudget retryBudget;
    private final RetriedStatuses retriedStatuses;
    private final int maxConnectionsPerBackend;
    private final int maxQueuedPerBackend;
    private final URI keyOrigin;
    private final String keyBase;
    private final String path;
    private final Clock clock;
    private final RetryTokens retryTokens;
    private final Optional<HashRing> ring;
    private final AtomicInteger rotation = new AtomicInteger();
    private volatile boolean panicking;

    private BackendPool(Builder builder) {
        this.name = builder.name;
        this.balance = builder.balance;
        this.passiveHealth = builder.passiveHealth;
        this.healthCheck = builder.healthCheck;
        this.retryBudget = builder.retryBudget;
        this.retriedStatuses = builder.retriedStatuses;
        this.maxConnectionsPerBackend = builder.maxConnections;
        this.maxQueuedPerBackend = builder.maxQueued;
        this.clock = builder.clock;
        List<Backend> all = new ArrayList<>();
        for (BackendSpec spec : builder.specs) {
            all.add(new Backend(name, spec.uri, spec.weight, spec.backup, passiveHealth, clock));
        }
        this.backends = List.copyOf(all);
        URI first = builder.specs.get(0).uri;
        this.keyOrigin = builder.keyOrigin.orElse(URI.create(originOf(first)));
        this.keyBase = originOf(keyOrigin);
        this.path = builder.path;
        this.retryTokens = new RetryTokens(retryBudget, clock);
        this.ring = balance == Balance.KEY_HASH ? Optional.of(new HashRing(backends)) : Optional.empty();
    }

    /**
     * A builder for a pool of this name (used in logs, statistics and metrics tags).
     *
     * @param name the pool's name
     * @return the builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * A pool of one backend, named after its host and port, with the defaults: what a single origin is.
     *
     * @param origin the one backend
     * @return the pool
     */
    public static BackendPool of(URI origin) {
        Objects.requireNonNull(origin, "origin");
        return builder(origin.getRawAuthority() == null ? "origin" : origin.getRawAuthority()).backend(origin).build();
    }

    /** {@return the pool's name, for logs, statistics and metrics tags} */
    public String name() {
        return name;
    }

    /** {@return the backends' URIs, primaries and backups, in the order they were added} */
    public List<URI> backends() {
        return backends.stream().map(backend -> backend.uri).toList();
    }

    /** {@return how a backend is chosen} */
    public Balance balance() {
        return balance;
    }

    /** {@return when a failing backend is ejected, and for how long} */
    public PassiveHealth passiveHealth() {
        return passiveHealth;
    }

    /** {@return the active health checks, if any} */
    public Optional<HealthCheck> healthCheck() {
        return healthCheck;
    }

    /** {@return how many retries the pool may add to its requests} */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /** {@return which backend statuses send an idempotent request once to another backend} */
    public RetriedStatuses retriedStatuses() {
        return retriedStatuses;
    }

    /** {@return the most requests each backend has on its way at once (nginx's {@code max_conns})} */
    public int maxConnectionsPerBackend() {
        return maxConnectionsPerBackend;
    }

    /** {@return the most requests that wait for a connection to one backend; beyond it (and with 0) a request gets a 503} */
    public int maxQueuedPerBackend() {
        return maxQueuedPerBackend;
    }

    /**
     * The origin responses are stored under, whichever backend answered: by default the first backend's
     * scheme and authority. A request for {@code /a?b} through this pool is cached as
     * {@code keyOrigin + /a?b}, with its route's {@linkplain Route#pathRewrite() path rewrite}.
     *
     * @return the key origin
     */
    public URI keyOrigin() {
        return keyOrigin;
    }

    /** {@return the path every backend of the pool has in its URI, without a trailing slash; {@code ""} for none} */
    public String path() {
        return path;
    }

    /** {@return every backend's figures and state now} */
    public List<BackendStatistics> statistics() {
        Instant now = clock.instant();
        List<BackendStatistics> rows = new ArrayList<>(backends.size());
        for (Backend backend : backends) {
            rows.add(backend.statistics(now));
        }
        return rows;
    }

    /** The key origin as text, {@code scheme://authority}, to which a request's path is appended. */
    String keyBase() {
        return keyBase;
    }

    List<Backend> members() {
        return backends;
    }

    Clock clock() {
        return clock;
    }

    /** A request was sent to one of the backends: it adds to the retry budget. */
    void requestSent() {
        retryTokens.requestSent();
    }

    /** Whether one more retry is within the budget; if so it is spent. */
    boolean tryRetry() {
        return retryTokens.tryRetry();
    }

    /** Whether some backend has not been tried yet for this request (available or not: panic mode tries them too). */
    boolean hasUntried(List<Backend> tried) {
        for (Backend backend : backends) {
            if (!tried.contains(backend)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The backend for a request with this cache key, not one of {@code tried}: among the available
     * primaries (backups when none is), one with a free connection if there is one, else one whose queue
     * has room. When no backend is available at all, any of them (panic mode). Empty when every candidate
     * has its connections and queue full, or none is left to try.
     */
    Optional<Backend> select(String key, List<Backend> tried) {
        Instant now = clock.instant();
        int n = backends.size();
        boolean[] available = new boolean[n];
        boolean anyAvailable = false;
        for (int i = 0; i < n; i++) {
            Backend backend = backends.get(i);
            available[i] = !tried.contains(backend) && backend.available(now);
            anyAvailable |= available[i];
        }
        boolean panic = !anyAvailable;
        notePanic(panic, tried.isEmpty());
        for (boolean backups : new boolean[] {false, true}) {
            for (int room : new int[] {maxConnectionsPerBackend, maxConnectionsPerBackend + maxQueuedPerBackend}) {
                boolean[] eligible = new boolean[n];
                boolean any = false;
                for (int i = 0; i < n; i++) {
                    Backend backend = backends.get(i);
                    eligible[i] = (panic ? !tried.contains(backend) : available[i])
                            && (backend.backup == backups || panic) && backend.active() < room;
                    any |= eligible[i];
                }
                if (any) {
                    return Optional.of(backends.get(choose(key, eligible)));
                }
            }
            if (panic) {
                break; // in panic mode the first pass already looked at backups too
            }
        }
        return Optional.empty();
    }

    private int choose(String key, boolean[] eligible) {
        return switch (balance) {
            case ROUND_ROBIN -> smoothWeighted(eligible);
            case LEAST_REQUESTS -> leastRequests(eligible);
            case KEY_HASH -> ring.orElseThrow().owner(key, index -> eligible[index]);
        };
    }

    /** nginx's smooth weighted round robin: each pick, every candidate gains its weight and the richest pays the total. */
    private synchronized int smoothWeighted(boolean[] eligible) {
        int best = -1;
        int total = 0;
        for (int i = 0; i < eligible.length; i++) {
            if (!eligible[i]) {
                continue;
            }
            Backend backend = backends.get(i);
            backend.currentWeight += backend.weight;
            total += backend.weight;
            if (best < 0 || backend.currentWeight > backends.get(best).currentWeight) {
                best = i;
            }
        }
        backends.get(best).currentWeight -= total;
        return best;
    }

    /** The fewest requests on their way relative to weight; ties go round, so that an idle pool still spreads. */
    private int leastRequests(boolean[] eligible) {
        int n = eligible.length;
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        int best = -1;
        for (int step = 0; step < n; step++) {
            int i = (start + step) % n;
            if (!eligible[i]) {
                continue;
            }
            if (best < 0 || (long) backends.get(i).active() * backends.get(best).weight
                    < (long) backends.get(best).active() * backends.get(i).weight) {
                best = i;
            }
        }
        return best;
    }

    /** One log line when the pool enters panic mode and one when it leaves it. */
    private void notePanic(boolean panic, boolean firstTry) {
        if (!firstTry || panic == panicking) {
            return;
        }
        synchronized (this) {
            if (panic != panicking) {
                panicking = panic;
                if (panic) {
                    LOG.warn("pool {}: no backend is available; trying them all anyway (panic mode)", name);
                } else {
                    LOG.info("pool {}: a backend is available again; panic mode over", name);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "BackendPool[" + name + " " + backends() + " " + balance.name().toLowerCase(Locale.ROOT) + "]";
    }

    private record BackendSpec(URI uri, int weight, boolean backup) {
    }

    /** Builds a {@link BackendPool}; at least one primary backend is needed. */
    public static final class Builder {

        private final String name;
        private final List<BackendSpec> specs = new ArrayList<>();
        private Balance balance = Balance.ROUND_ROBIN;
        private PassiveHealth passiveHealth = PassiveHealth.DEFAULT;
        private Optional<HealthCheck> healthCheck = Optional.empty();
        private RetryBudget retryBudget = RetryBudget.DEFAULT;
        private RetriedStatuses retriedStatuses = RetriedStatuses.GATEWAY_ERRORS;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxQueued = DEFAULT_MAX_QUEUED;
        private Optional<URI> keyOrigin = Optional.empty();
        private Clock clock = Clock.systemUTC();
        /** The backends' common path, set by the first one added. */
        private String path = "";

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a pool needs a name");
            }
            this.name = name;
        }

        /**
         * Adds a backend with weight 1.
         *
         * @param uri the backend's absolute {@code http} or {@code https} URI
         * @return this builder
         */
        public Builder backend(URI uri) {
            return backend(uri, 1);
        }

        /**
         * Adds a backend with this weight (nginx's {@code weight}): its share relative to the others.
         *
         * @param uri    the backend's absolute {@code http} or {@code https} URI
         * @param weight from 1 to 1000
         * @return this builder
         */
        public Builder backend(URI uri, int weight) {
            return add(uri, weight, false);
        }

        /**
         * Adds a backup backend (nginx's {@code backup}): it takes requests only while no primary is available.
         *
         * @param uri the backend's absolute {@code http} or {@code https} URI
         * @return this builder
         */
        public Builder backup(URI uri) {
            return add(uri, 1, true);
        }

        private Builder add(URI uri, int weight, boolean backup) {
            URI checked = checkedBackend(uri);
            if (weight < 1 || weight > 1000) {
                throw new IllegalArgumentException("a backend's weight must be from 1 to 1000, got " + weight + " for " + uri);
            }
            if (specs.stream().anyMatch(spec -> spec.uri.equals(checked))) {
                throw new IllegalArgumentException("backend " + uri + " is in pool " + name + " twice");
            }
            String backendPath = pathOf(checked);
            if (specs.isEmpty()) {
                path = backendPath;
            } else if (!backendPath.equals(path)) {
                // The path is part of what a cached response is (the route's path rewrite): one pool, one path.
                throw new IllegalArgumentException("the backends of pool " + name + " must share one path: " + uri + " has \""
                        + backendPath + "\", " + specs.get(0).uri + " has \"" + path + "\"");
            }
            specs.add(new BackendSpec(checked, weight, backup));
            return this;
        }

        /**
         * How a backend is chosen; default round robin.
         *
         * @param balance the balancing
         * @return this builder
         */
        public Builder balance(Balance balance) {
            this.balance = Objects.requireNonNull(balance, "balance");
            return this;
        }

        /**
         * When a failing backend is ejected, and for how long.
         *
         * @param passiveHealth the thresholds
         * @return this builder
         */
        public Builder passiveHealth(PassiveHealth passiveHealth) {
            this.passiveHealth = Objects.requireNonNull(passiveHealth, "passiveHealth");
            return this;
        }

        /**
         * Active health checks of every backend; none by default.
         *
         * @param healthCheck active health checks of every backend
         * @return this builder
         */
        public Builder healthCheck(HealthCheck healthCheck) {
            this.healthCheck = Optional.of(healthCheck);
            return this;
        }

        /**
         * How many retries the pool may add to its requests (default {@link RetryBudget#DEFAULT});
         * {@link RetryBudget#NONE} for none.
         *
         * @param retryBudget the budget
         * @return this builder
         */
        public Builder retryBudget(RetryBudget retryBudget) {
            this.retryBudget = Objects.requireNonNull(retryBudget, "retryBudget");
            return this;
        }

        /**
         * Which backend statuses send an idempotent request once to another backend, within the retry
         * budget (default {@link RetriedStatuses#GATEWAY_ERRORS}); {@link RetriedStatuses#NONE} relays every answer.
         *
         * @param statuses the statuses
         * @return this builder
         */
        public Builder retriedStatuses(RetriedStatuses statuses) {
            this.retriedStatuses = Objects.requireNonNull(statuses, "statuses");
            return this;
        }

        /**
         * The most requests on their way to each backend at once, as nginx's {@code max_conns} (default
         * 256, Jetty's). A backend at its limit gets no new request while another has room; when none has,
         * requests wait for a connection, up to {@link #maxQueuedPerBackend} per backend.
         *
         * @param connections the limit, at least 1
         * @return this builder
         */
        public Builder maxConnectionsPerBackend(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("max connections per backend must be at least 1, got " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        /**
         * The most requests that wait for a connection to one backend (default 1024, Jetty's); a request
         * finding every queue full is answered 503 at once (or served stale, when the cache may). 0 answers
         * 503 as soon as every backend is at its connection limit. Waiting counts toward the proxy's timeout.
         *
         * @param queued the limit, 0 or more
         * @return this builder
         */
        public Builder maxQueuedPerBackend(int queued) {
            if (queued < 0) {
                throw new IllegalArgumentException("max queued per backend must not be negative, got " + queued);
            }
            this.maxQueued = queued;
            return this;
        }

        /**
         * The origin responses are stored under (default: the first backend's scheme and authority). Name
         * it when the first backend may change, so that the cache stays warm across such a change. Pools
         * with one key origin and one {@linkplain BackendPool#path() path} share stored responses.
         *
         * @param keyOrigin the scheme and authority responses are stored under
         * @return this builder
         * @throws IllegalArgumentException unless it is {@code http} or {@code https} with a host and
         *                                  nothing after the authority (the backends' path is the pool's)
         */
        public Builder keyOrigin(URI keyOrigin) {
            URI checked = checkedBackend(keyOrigin);
            if (!pathOf(checked).isEmpty()) {
                throw new IllegalArgumentException("a key origin is scheme://host[:port] without a path (the backends' URIs carry"
                        + " the pool's path), got \"" + keyOrigin + "\"");
            }
            this.keyOrigin = Optional.of(URI.create(originOf(checked)));
            return this;
        }

        /**
         * The clock that times ejections and the retry budget; a test's manual clock, or the system's.
         *
         * @param clock the clock that times ejections and the retry budget
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * {@return the pool}
         *
         * @throws IllegalStateException without a primary backend
         */
        public BackendPool build() {
            Set<Boolean> kinds = new HashSet<>();
            specs.forEach(spec -> kinds.add(spec.backup));
            if (!kinds.contains(Boolean.FALSE)) {
                throw new IllegalStateException("pool " + name + " needs at least one backend that is not a backup");
            }
            return new BackendPool(this);
        }
    }

    /** {@code scheme://authority} of the URI, as written: where a backend or a key origin is, without a path. */
    static String originOf(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /** The URI's raw path without trailing slashes: {@code ""} for none or {@code /}. */
    static String pathOf(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    /** An absolute http or https URI with a host, optionally a path prefix, no query or fragment. */
    static URI checkedBackend(URI uri) {
        Objects.requireNonNull(uri, "backend");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("a backend must be an http or https URI, got \"" + uri + "\"");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("a backend must name a host, got \"" + uri + "\"");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a backend must not have a query or fragment, got \"" + uri + "\"");
        }
        return uri;
    }
}
