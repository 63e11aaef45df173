package dev.cacheproxy.examples;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What keeps the example proxy within its threads and file descriptors, and how long it waits.
 *
 * @param maxConnections    client connections open at once; further ones wait in the kernel's accept queue
 * @param clientIdleTimeout a client connection that sends or reads nothing for this long is closed
 * @param originTimeout     the most one request to the origin may take, head and body, before a 504
 * @param shutdownGrace     how long responses in flight may take to finish when the proxy is stopped
 */
record ServerLimits(int maxConnections, Duration clientIdleTimeout, Duration originTimeout, Duration shutdownGrace) {

    /** Jetty's own default for a connector, and nginx's {@code client_header_timeout}/{@code send_timeout} scale. */
    static final Duration DEFAULT_CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** nginx's {@code proxy_read_timeout} is 60 s between reads; this bounds the whole exchange. */
    static final Duration DEFAULT_ORIGIN_TIMEOUT = Duration.ofSeconds(60);
    /** Below the 30 s a container orchestrator usually waits between SIGTERM and SIGKILL. */
    static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);
    /** The proxy servlet's connections to the origin at most (Jetty's {@code maxConnections} default). */
    static final int ORIGIN_CONNECTIONS = 256;
    /** Descriptors kept for everything else: the store's files, jars, the JVM's own. */
    private static final int RESERVED_DESCRIPTORS = 256;
    private static final int MOST_CONNECTIONS_BY_DEFAULT = 10_000;

    ServerLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1, got " + maxConnections);
        }
        for (Duration duration : new Duration[] {clientIdleTimeout, originTimeout}) {
            if (duration.isZero() || duration.isNegative()) {
                throw new IllegalArgumentException("a timeout must be positive, got " + duration);
            }
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("the shutdown grace period must not be negative, got " + shutdownGrace);
        }
    }

    static ServerLimits defaults() {
        return new ServerLimits(defaultMaxConnections(), DEFAULT_CLIENT_IDLE_TIMEOUT, DEFAULT_ORIGIN_TIMEOUT, DEFAULT_SHUTDOWN_GRACE);
    }

    /**
     * As many client connections as the file descriptor limit leaves room for once the origin's
     * connections and a reserve are counted, at most 10,000 and at least 64: a flood of connections
     * then waits in the accept queue instead of failing the process with "Too many open files".
     */
    static int defaultMaxConnections() {
        long limit = MOST_CONNECTIONS_BY_DEFAULT + ORIGIN_CONNECTIONS + RESERVED_DESCRIPTORS;
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            limit = unix.getMaxFileDescriptorCount();
        }
        return (int) Math.max(64, Math.min(MOST_CONNECTIONS_BY_DEFAULT, limit - ORIGIN_CONNECTIONS - RESERVED_DESCRIPTORS));
    }

    ServerLimits withMaxConnections(int connections) {
        return new ServerLimits(connections, clientIdleTimeout, originTimeout, shutdownGrace);
    }

    ServerLimits withClientIdleTimeout(Duration timeout) {
        return new ServerLimits(maxConnections, timeout, originTimeout, shutdownGrace);
    }

    ServerLimits withOriginTimeout(Duration timeout) {
        return new ServerLimits(maxConnections, clientIdleTimeout, timeout, shutdownGrace);
    }

    ServerLimits withShutdownGrace(Duration grace) {
        return new ServerLimits(maxConnections, clientIdleTimeout, originTimeout, grace);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    /** A duration such as {@code 500ms}, {@code 30s} or {@code 2m}. */
    static Duration parseDuration(String flag, String text) {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException(flag + " must be a duration such as 500ms, 30s or 2m, got " + text);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
    }
}
