package dev.cacheproxy.examples;

import dev.cacheproxy.jetty.Balance;
import dev.cacheproxy.jetty.BackendPool;
import dev.cacheproxy.jetty.HealthCheck;
import dev.cacheproxy.jetty.Route;
import dev.cacheproxy.jetty.Routes;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The example's backend flags: {@code --origin} (repeatable: one pool), {@code --route}, {@code --balance},
 * {@code --health-path} and the settings of its checks ({@code --health-interval}, {@code --health-timeout},
 * {@code --health-status}, {@code --health-passes}, {@code --health-fails}), {@code --max-conns},
 * {@code --max-queue}; parsed and checked, then turned into {@link Routes}.
 *
 * @param origins        the {@code --origin} URLs in order: the pool every request no route claims goes to
 * @param routeFlags     the {@code --route}s
 * @param balance        how every pool balances
 * @param healthPath     the active health check's path, if any
 * @param health         the checks' other settings (its path is a placeholder): {@link HealthCheck}'s defaults
 *                       unless a {@code --health-*} flag changed them
 * @param maxConnections the most requests on their way to each backend
 * @param maxQueued      the most requests waiting for each backend beyond that
 */
record PoolFlags(List<URI> origins, List<RouteFlag> routeFlags, Balance balance, Optional<String> healthPath, HealthCheck health,
                 int maxConnections, int maxQueued) {

    /** The flags this record reads, each with one value. */
    static final List<String> FLAGS = List.of("--origin", "--route", "--balance", "--health-path", "--health-interval",
            "--health-timeout", "--health-status", "--health-passes", "--health-fails", "--max-conns", "--max-queue");

    /** The health checks' settings when no flag changes them. */
    private static final HealthCheck DEFAULT_HEALTH = HealthCheck.path("/");

    /** No backend flag given. */
    static final PoolFlags NONE = new PoolFlags(List.of(), List.of(), Balance.ROUND_ROBIN, Optional.empty(), DEFAULT_HEALTH,
            BackendPool.DEFAULT_MAX_CONNECTIONS, BackendPool.DEFAULT_MAX_QUEUED);

    static final String USAGE = String.join("\n",
            "  --origin URL            the origin to proxy to, e.g. http://127.0.0.1:8000; give it more than once",
            "                          for a pool of backends (default: start a demo origin on 127.0.0.1 and proxy to it)",
            "  --route PREFIX=URL[,URL...]  requests under PREFIX (a path, or HOST/path for one Host) go to these",
            "                          backends instead; with a path on the URLs (http://h:8080/) the prefix is",
            "                          replaced by it, as nginx's proxy_pass does (every URL of a route has the",
            "                          same path); repeatable",
            "  --balance KIND          round-robin (default, weighted smooth), least-requests, or key-hash",
            "                          (consistent hashing on the cache key)",
            "  --health-path PATH      check each backend with GET PATH (default: passive checks only), as below:",
            "  --health-interval D     time between two checks of a backend, e.g. 500ms, 5s, 1m (default 5s)",
            "  --health-timeout D      a check not answered within D fails (default 2s)",
            "  --health-status S       the statuses that pass: one (200) or a range (default 200-399)",
            "  --health-passes N       checks passed in a row that bring a down backend back (default 2)",
            "  --health-fails N        checks failed in a row that take a backend out (default 3)",
            "  --max-conns N           the most requests on their way to each backend (default 256)",
            "  --max-queue N           the most requests waiting for each backend beyond that, 0 to answer 503",
            "                          at once (default 1024)");

    /** One {@code --route}: where, and to which backends. */
    record RouteFlag(Optional<String> host, String prefix, List<URI> backends) {
    }

    PoolFlags {
        origins = List.copyOf(origins);
        routeFlags = List.copyOf(routeFlags);
    }

    /** These flags and one more of {@link #FLAGS} with its value; an {@link IllegalArgumentException} says what is wrong. */
    PoolFlags with(String flag, String value) {
        return switch (flag) {
            case "--origin" -> new PoolFlags(onePool(flag, append(origins, parseUrl(flag, value))), routeFlags, balance, healthPath,
                    health, maxConnections, maxQueued);
            case "--route" -> new PoolFlags(origins, append(routeFlags, parseRoute(value)), balance, healthPath, health, maxConnections,
                    maxQueued);
            case "--balance" -> new PoolFlags(origins, routeFlags, parseBalance(value), healthPath, health, maxConnections, maxQueued);
            case "--health-path" -> new PoolFlags(origins, routeFlags, balance, Optional.of(parseHealthPath(value)), health, maxConnections,
                    maxQueued);
            case "--health-interval" -> withHealth(health.interval(parsePositiveDuration(flag, value)));
            case "--health-timeout" -> withHealth(health.timeout(parsePositiveDuration(flag, value)));
            case "--health-status" -> withHealth(parseStatuses(flag, value));
            case "--health-passes" -> withHealth(health.thresholds(parseCount(flag, value, 1), health.unhealthyThreshold()));
            case "--health-fails" -> withHealth(health.thresholds(health.healthyThreshold(), parseCount(flag, value, 1)));
            case "--max-conns" -> new PoolFlags(origins, routeFlags, balance, healthPath, health, parseCount(flag, value, 1), maxQueued);
            case "--max-queue" -> new PoolFlags(origins, routeFlags, balance, healthPath, health, maxConnections, parseCount(flag, value, 0));
            default -> throw new IllegalArgumentException("unknown flag " + flag);
        };
    }

    private PoolFlags withHealth(HealthCheck settings) {
        return new PoolFlags(origins, routeFlags, balance, healthPath, settings, maxConnections, maxQueued);
    }

    /**
     * These flags once every flag was read, or what is wrong with them together: a {@code --health-*}
     * setting is for the checks {@code --health-path} turns on, and means nothing without it.
     */
    PoolFlags checked() {
        if (healthPath.isEmpty() && !health.equals(DEFAULT_HEALTH)) {
            throw new IllegalArgumentException("--health-interval, --health-timeout, --health-status, --health-passes and "
                    + "--health-fails set up the checks of --health-path: give it too");
        }
        return this;
    }

    /** The active health checks every pool gets, if {@code --health-path} asked for them. */
    Optional<HealthCheck> healthCheck() {
        return healthPath.map(path -> new HealthCheck(path, health.interval(), health.timeout(), health.minStatus(), health.maxStatus(),
                health.healthyThreshold(), health.unhealthyThreshold()));
    }

    /** These URLs, if they make one pool (each once, all with one path); else what is wrong, named after the flag. */
    private static List<URI> onePool(String flag, List<URI> backends) {
        try {
            BackendPool.Builder check = BackendPool.builder("origin");
            backends.forEach(check::backend);
        } catch (IllegalArgumentException notOnePool) {
            throw new IllegalArgumentException(flag + ": " + notOnePool.getMessage());
        }
        return backends;
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> longer = new ArrayList<>(list);
        longer.add(item);
        return longer;
    }

    /** Whether an {@code --origin} was given: without one, the example starts its demo origin. */
    boolean hasOrigin() {
        return !origins.isEmpty();
    }

    /**
     * The routes: each {@code --route}, then everything else to the {@code --origin} pool (or to
     * {@code fallback}, the demo origin, when none was given).
     */
    Routes routes(URI fallback) {
        List<Route> all = new ArrayList<>();
        all.add(Route.all(pool("origin", origins.isEmpty() ? List.of(fallback) : origins)));
        for (RouteFlag flag : routeFlags) {
            boolean strip = flag.backends().stream().anyMatch(uri -> uri.getRawPath() != null && !uri.getRawPath().isEmpty());
            Route route = Route.prefix(flag.prefix(), pool(flag.host().map(host -> host + flag.prefix()).orElse(flag.prefix()),
                    flag.backends()));
            route = strip ? route.stripped() : route;
            all.add(flag.host().map(route::forHost).orElse(route));
        }
        return Routes.of(all);
    }

    /** One line per route, for the start-up message. */
    static String describe(Routes routes) {
        StringBuilder text = new StringBuilder();
        for (Route route : routes.routes()) {
            text.append(route.host().map(host -> host + " ").orElse("")).append(route.pathPrefix())
                    .append(route.stripPrefix() ? " (stripped)" : "").append(" -> ")
                    .append(String.join(", ", route.pool().backends().stream().map(URI::toString).toList()))
                    .append(route.pool().backends().size() > 1
                            ? " (" + route.pool().balance().name().toLowerCase(Locale.ROOT).replace('_', '-') + ")" : "")
                    .append('\n');
        }
        return text.toString();
    }

    private BackendPool pool(String name, List<URI> backends) {
        BackendPool.Builder pool = BackendPool.builder(name).balance(balance).maxConnectionsPerBackend(maxConnections)
                .maxQueuedPerBackend(maxQueued);
        backends.forEach(pool::backend);
        healthCheck().ifPresent(pool::healthCheck);
        return pool.build();
    }

    private static RouteFlag parseRoute(String text) {
        int equals = text.indexOf('=');
        if (equals <= 0 || equals == text.length() - 1) {
            throw new IllegalArgumentException("--route must be PREFIX=URL[,URL...], got " + text);
        }
        String where = text.substring(0, equals);
        Optional<String> host = Optional.empty();
        String prefix = where;
        if (!where.startsWith("/")) {
            int slash = where.indexOf('/');
            host = Optional.of(slash < 0 ? where : where.substring(0, slash));
            prefix = slash < 0 ? "/" : where.substring(slash);
        }
        List<URI> backends = new ArrayList<>();
        Map<Boolean, Integer> withPath = new LinkedHashMap<>();
        for (String url : text.substring(equals + 1).split(",", -1)) {
            URI backend = parseUrl("--route", url.strip());
            if (backends.contains(backend)) {
                throw new IllegalArgumentException("--route " + where + " names " + backend + " twice");
            }
            backends.add(backend);
            withPath.merge(backend.getRawPath() != null && !backend.getRawPath().isEmpty(), 1, Integer::sum);
        }
        if (withPath.size() > 1) {
            throw new IllegalArgumentException("--route " + where + ": give every URL a path (to replace the prefix) or none");
        }
        try {
            BackendPool.Builder check = BackendPool.builder(where);
            backends.forEach(check::backend); // one path for every URL: it is part of what a cached response is
            Route route = Route.prefix(prefix, check.build());
            host.ifPresent(route::forHost);
        } catch (IllegalArgumentException badRoute) {
            throw new IllegalArgumentException("--route " + where + ": " + badRoute.getMessage());
        }
        return new RouteFlag(host, prefix, backends);
    }

    private static URI parseUrl(String flag, String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException malformed) {
            throw new IllegalArgumentException(flag + " " + text + " is not a valid URI");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(flag + " must be an http:// or https:// URL with a host (and no query), got " + text);
        }
        return uri;
    }

    private static Balance parseBalance(String text) {
        return switch (text) {
            case "round-robin" -> Balance.ROUND_ROBIN;
            case "least-requests" -> Balance.LEAST_REQUESTS;
            case "key-hash" -> Balance.KEY_HASH;
            default -> throw new IllegalArgumentException("--balance must be round-robin, least-requests or key-hash, got " + text);
        };
    }

    private static String parseHealthPath(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("--health-path must begin with /, got " + text);
        }
        return text;
    }

    private static Duration parsePositiveDuration(String flag, String text) {
        Duration duration = ServerLimits.parseDuration(flag, text);
        if (duration.toMillis() < 1) {
            throw new IllegalArgumentException(flag + " must be at least 1ms, got " + text);
        }
        return duration;
    }

    /** {@code 200} or {@code 200-399}, within 100 to 599. */
    private HealthCheck parseStatuses(String flag, String text) {
        String[] bounds = text.strip().split("-", -1);
        try {
            if (bounds.length <= 2) {
                int min = Integer.parseInt(bounds[0].strip());
                int max = bounds.length == 1 ? min : Integer.parseInt(bounds[1].strip());
                if (min >= 100 && max <= 599 && min <= max) {
                    return health.expectStatus(min, max);
                }
            }
        } catch (NumberFormatException notANumber) {
            // said below, with the rest of what is wrong
        }
        throw new IllegalArgumentException(flag + " must be a status such as 200 or a range such as 200-399, within 100 to 599, got " + text);
    }

    /** A whole number of at least {@code minimum}, or an error naming the flag. */
    static int parseCount(String flag, String text, int minimum) {
        try {
            int count = Integer.parseInt(text);
            if (count < minimum) {
                throw new IllegalArgumentException(flag + " must be at least " + minimum + ", got " + text);
            }
            return count;
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(flag + " must be a number, got " + text);
        }
    }
}
