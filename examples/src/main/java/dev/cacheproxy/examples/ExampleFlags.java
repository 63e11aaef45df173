package dev.cacheproxy.examples;

import dev.cacheproxy.admin.AdminEndpoint;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.ClientForwarding;
import dev.cacheproxy.store.EhcacheStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The example proxy's command line, parsed and checked.
 *
 * @param origin        the first {@code --origin}; empty means "start the demo origin"
 * @param port          the port to listen on, 0 for any free one
 * @param bind          the address to listen on
 * @param help          whether {@code --help} was given
 * @param heapSize      the heap tier's budget in bytes (the weight of its entries, {@link EhcacheStore.Builder#heapSize})
 * @param offHeapSize   the off-heap tier in bytes
 * @param storeDir      the directory of a persistent disk tier, if any
 * @param diskSize      the disk tier in bytes, used with {@code storeDir}
 * @param maxObjectSize the largest body stored, in bytes, when given (else the engine's default, which fits the tiers)
 * @param adminToken    the admin endpoint's token; empty leaves the endpoint off
 * @param adminAllow    the addresses and CIDR blocks that may use the admin endpoint; empty means any
 * @param pools         every {@code --origin} (a pool), {@code --route} and the pools' settings
 * @param tls           HTTPS, HTTP/2 and the backends' TLS
 * @param rememberMisses how long a key whose response was not storable skips request collapsing; zero never
 * @param limits        client connections, timeouts and the shutdown grace period
 * @param forwarding    the forwarding settings given, by {@link ClientForwarding#SETTINGS} name
 */
record ExampleFlags(Optional<URI> origin, int port, String bind, boolean help, long heapSize, long offHeapSize,
                    Optional<Path> storeDir, long diskSize, Optional<Long> maxObjectSize, Optional<String> adminToken,
                    Optional<String> adminAllow, PoolFlags pools, TlsFlags tls, Duration rememberMisses, ServerLimits limits,
                    Map<String, String> forwarding) {

    /** The command-line flag of each forwarding setting. */
    private static final Map<String, String> FORWARDING_FLAGS = Map.of(
            "--trusted-proxies", "trustedProxies",
            "--strip-request-headers", "stripRequestHeaders",
            "--forwarded-host", "forwardedHost");

    static final long DEFAULT_HEAP_SIZE = EhcacheStore.Builder.DEFAULT_HEAP_BYTES;
    /**
     * 256 MiB, or half of what the JVM lets direct buffers take when that is less (by default as much as
     * {@code -Xmx}), so that {@code java -Xmx128m -jar ...} starts without more flags.
     */
    static final long DEFAULT_OFF_HEAP_SIZE = Math.max(4L * 1024 * 1024,
            Math.min(256L * 1024 * 1024, EhcacheStore.Builder.directMemoryLimit() / 2));
    static final long DEFAULT_DISK_SIZE = EhcacheStore.Builder.DEFAULT_DISK_BYTES;
    static final long DEFAULT_MAX_OBJECT_SIZE = CachingEngine.Builder.DEFAULT_MAX_OBJECT_SIZE;

    static final String USAGE = String.join("\n",
            "Usage: java -jar cacheproxy-example.jar [flags]",
            "",
            "A caching reverse proxy (RFC 9111) in front of an origin or pools of backends.",
            "",
            PoolFlags.USAGE,
            "  --port N                the port to listen on, 0 to 65535 (default 8080; 0 picks a free one)",
            "  --bind ADDR             the address to listen on (default 127.0.0.1)",
            "  --heap-size SIZE        the heap tier, for the hottest entries, in bytes of what they hold",
            "                          (default " + ByteSize.format(DEFAULT_HEAP_SIZE) + ")",
            "  --offheap-size SIZE     the off-heap tier, the main one (default " + ByteSize.format(DEFAULT_OFF_HEAP_SIZE)
                    + ": 256MiB, or half of -XX:MaxDirectMemorySize when less)",
            "  --store-dir DIR         keep the cache on disk in DIR too, so that it survives a restart",
            "                          (default: memory only; one proxy at a time per directory)",
            "  --disk-size SIZE        the disk tier with --store-dir, larger than --offheap-size (default "
                    + ByteSize.format(DEFAULT_DISK_SIZE) + ")",
            "  --max-object-size SIZE  the largest body stored; larger ones stream through uncached",
            "                          (default " + ByteSize.format(DEFAULT_MAX_OBJECT_SIZE) + ", or less to fit the tiers)",
            "  --admin-token TOKEN     turn the admin endpoint on: with Authorization: Bearer TOKEN,",
            "                          PURGE <url> purges that URL; POST /_cacheproxy/purge?tag=T purges a tag,",
            "                          POST /_cacheproxy/purge-all everything; GET /_cacheproxy/stats (default: off,",
            "                          and PURGE and /_cacheproxy go to the origin like any request)",
            "  --admin-allow LIST      the client addresses or CIDR blocks that may use the admin endpoint,",
            "                          e.g. 127.0.0.1,10.0.0.0/8 (default: any address that has the token)",
            "  --max-connections N     client connections to this proxy open at once, all clients together;",
            "                          more wait in the accept queue (backends are limited by --max-conns)",
            "                          (default " + ServerLimits.defaultMaxConnections() + ": from this process's file descriptor limit)",
            "  --client-idle-timeout D close a client connection idle (or trickling nothing) this long (default "
                    + ServerLimits.DEFAULT_CLIENT_IDLE_TIMEOUT.toSeconds() + "s)",
            "  --origin-timeout D      the most a request to the origin may take, head and body; then 504",
            "                          (default " + ServerLimits.DEFAULT_ORIGIN_TIMEOUT.toSeconds() + "s)",
            "  --shutdown-grace D      on SIGTERM, stop accepting and give responses in flight this long",
            "                          to finish before closing the store (default " + ServerLimits.DEFAULT_SHUTDOWN_GRACE.toSeconds() + "s)",
            "  --trusted-proxies LIST  proxies in front whose Forwarded and X-Forwarded-* fields are kept and",
            "                          appended to, e.g. 10.0.0.0/8,fd00::/8 (default: none; every client's are",
            "                          removed and the proxy sends its own)",
            "  --strip-request-headers NAMES",
            "                          more request fields never sent to the origin, e.g. X-HTTP-Method-Override",
            "  --forwarded-host HOST   the host clients use to reach the proxy, sent as X-Forwarded-Host and",
            "                          Forwarded host= (default: the address and port the request arrived on)",
            "  --remember-misses SECS  after a response that cannot be stored (private, no-store...), requests",
            "                          for its URL go to the origin at once for this long rather than wait for",
            "                          one another; 0 turns it off (default "
                    + CachingEngine.Builder.DEFAULT_REMEMBER_MISSES_FOR.toSeconds() + ")",
            String.join("\n", TlsFlags.USAGE),
            "  --help                  print this and exit",
            "",
            "SIZE is a number of bytes, or of KiB, MiB, GiB: 512KiB, 64MiB, 1GiB.",
            "D is a duration: 500ms, 30s, 2m.");

    /** The flags, or an {@link IllegalArgumentException} whose message is the one-line reason. */
    static ExampleFlags parse(List<String> args) {
        int port = 8080;
        String bind = "127.0.0.1";
        boolean help = false;
        long heapSize = DEFAULT_HEAP_SIZE;
        long offHeapSize = DEFAULT_OFF_HEAP_SIZE;
        Optional<Path> storeDir = Optional.empty();
        Optional<Long> diskSize = Optional.empty();
        Optional<Long> maxObjectSize = Optional.empty();
        Optional<String> adminToken = Optional.empty();
        Optional<String> adminAllow = Optional.empty();
        ServerLimits limits = ServerLimits.defaults();
        PoolFlags pools = PoolFlags.NONE;
        Map<String, String> forwarding = new HashMap<>();
        Duration rememberMisses = CachingEngine.Builder.DEFAULT_REMEMBER_MISSES_FOR;
        TlsFlags.Builder tls = new TlsFlags.Builder();
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            switch (flag) {
                case "--help", "-h" -> help = true;
                case "--origin", "--route", "--balance", "--health-path", "--health-interval", "--health-timeout", "--health-status",
                     "--health-passes", "--health-fails", "--max-conns", "--max-queue" -> pools = pools.with(flag, valueOf(args, ++i, flag));
                case "--port" -> port = parsePort(valueOf(args, ++i, flag));
                case "--bind" -> bind = valueOf(args, ++i, flag);
                case "--heap-size" -> heapSize = atLeast(flag, valueOf(args, ++i, flag), 1);
                case "--offheap-size" -> offHeapSize = atLeast(flag, valueOf(args, ++i, flag), 1024 * 1024);
                case "--store-dir" -> storeDir = Optional.of(parseDirectory(valueOf(args, ++i, flag)));
                case "--disk-size" -> diskSize = Optional.of(atLeast(flag, valueOf(args, ++i, flag), 1024 * 1024));
                case "--max-object-size" -> maxObjectSize = Optional.of(parseMaxObjectSize(valueOf(args, ++i, flag)));
                case "--admin-token" -> adminToken = Optional.of(parseAdminToken(valueOf(args, ++i, flag)));
                case "--admin-allow" -> adminAllow = Optional.of(valueOf(args, ++i, flag));
                case "--max-connections" -> limits = limits.withMaxConnections(PoolFlags.parseCount(flag, valueOf(args, ++i, flag), 1));
                case "--client-idle-timeout" -> limits = limits.withClientIdleTimeout(ServerLimits.parseDuration(flag, valueOf(args, ++i, flag)));
                case "--origin-timeout" -> limits = limits.withOriginTimeout(ServerLimits.parseDuration(flag, valueOf(args, ++i, flag)));
                case "--shutdown-grace" -> limits = limits.withShutdownGrace(ServerLimits.parseDuration(flag, valueOf(args, ++i, flag)));
                case "--trusted-proxies", "--strip-request-headers", "--forwarded-host" ->
                        forwarding.put(FORWARDING_FLAGS.get(flag), valueOf(args, ++i, flag));
                case "--remember-misses" -> rememberMisses = parseSeconds(flag, valueOf(args, ++i, flag));
                case "--tls-cert", "--tls-key", "--keystore", "--origin-ca", "--origin-protocol" -> tls.accept(flag, valueOf(args, ++i, flag));
                case "--h2c", "--origin-insecure" -> tls.accept(flag, "");
                default -> throw new IllegalArgumentException("unknown flag " + flag + " (see --help)");
            }
        }
        if (diskSize.isPresent() && storeDir.isEmpty()) {
            throw new IllegalArgumentException("--disk-size needs --store-dir");
        }
        long disk = diskSize.orElse(DEFAULT_DISK_SIZE);
        if (storeDir.isPresent() && disk <= offHeapSize) {
            throw new IllegalArgumentException("--disk-size (" + ByteSize.format(disk) + ") must be larger than --offheap-size ("
                    + ByteSize.format(offHeapSize) + ")");
        }
        // Whether --max-object-size fits the tiers is the store's rule: the engine checks it when it is built.
        if (adminAllow.isPresent() && adminToken.isEmpty()) {
            throw new IllegalArgumentException("--admin-allow needs --admin-token");
        }
        checkForwarding(forwarding);
        pools = pools.checked();
        Optional<URI> origin = pools.origins().stream().findFirst();
        // Every backend, with the demo origin (plain HTTP) standing for a missing --origin.
        List<URI> backends = pools.routes(URI.create("http://127.0.0.1")).pools().stream()
                .flatMap(pool -> pool.backends().stream()).toList();
        return new ExampleFlags(origin, port, bind, help, heapSize, offHeapSize, storeDir, disk, maxObjectSize, adminToken, adminAllow,
                pools, tls.build(backends), rememberMisses, limits, Map.copyOf(forwarding));
    }

    private static Duration parseSeconds(String flag, String text) {
        try {
            long seconds = Long.parseLong(text);
            if (seconds >= 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " must be a whole number of seconds, 0 or more, got " + text);
    }

    /** The store these flags describe. */
    EhcacheStore.Builder store() {
        EhcacheStore.Builder store = EhcacheStore.builder().heapSize(heapSize).offHeapSize(offHeapSize);
        storeDir.ifPresent(directory -> store.persistentDirectory(directory).diskSize(diskSize));
        return store;
    }

    /** The proxy servlet's init-parameters for the admin endpoint (none when it is off). */
    Map<String, String> adminInitParameters() {
        Map<String, String> parameters = new HashMap<>();
        adminToken.ifPresent(token -> parameters.put("adminToken", token));
        adminAllow.ifPresent(allow -> parameters.put("adminAllow", allow));
        return parameters;
    }

    /**
     * Every init-parameter of the proxy servlet these flags give: the admin endpoint's, the forwarding
     * fields' and Jetty's {@code timeout} from {@code --origin-timeout}, so that the servlet checks them
     * as it checks a {@code web.xml}'s.
     */
    Map<String, String> servletInitParameters() {
        Map<String, String> parameters = new HashMap<>(adminInitParameters());
        parameters.putAll(forwarding);
        parameters.put("timeout", Long.toString(limits.originTimeout().toMillis()));
        return parameters;
    }

    private static String parseAdminToken(String text) {
        // The servlet's own check, so that the command line accepts exactly what init-parameters accept.
        try {
            AdminEndpoint.checkToken(text);
        } catch (IllegalArgumentException badToken) {
            throw new IllegalArgumentException("--admin-token: " + badToken.getMessage(), badToken);
        }
        return text;
    }

    /** The servlet's own check of the forwarding settings, reported with the flag's name. */
    private static void checkForwarding(Map<String, String> settings) {
        try {
            ClientForwarding.fromSettings(settings::get);
        } catch (IllegalArgumentException badValue) {
            String flag = FORWARDING_FLAGS.entrySet().stream()
                    .filter(entry -> badValue.getMessage().startsWith(entry.getValue() + ":"))
                    .map(Map.Entry::getKey).findFirst().orElse("forwarding");
            throw new IllegalArgumentException(flag + badValue.getMessage().substring(badValue.getMessage().indexOf(':')), badValue);
        }
    }

    private static String valueOf(List<String> args, int index, String flag) {
        if (index >= args.size() || args.get(index).startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value (see --help)");
        }
        return args.get(index);
    }

    private static long atLeast(String flag, String text, long minimum) {
        long bytes = ByteSize.parse(flag, text);
        if (bytes < minimum) {
            throw new IllegalArgumentException(flag + " must be at least " + ByteSize.format(minimum) + ", got " + text);
        }
        return bytes;
    }

    private static long parseMaxObjectSize(String text) {
        long bytes = atLeast("--max-object-size", text, 1);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--max-object-size must be below 2GiB, got " + text);
        }
        return bytes;
    }

    private static Path parseDirectory(String text) {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException invalid) {
            throw new IllegalArgumentException("--store-dir " + text + " is not a valid path");
        }
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be between 0 and 65535, got " + text);
            }
            return port;
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("--port must be a number, got " + text);
        }
    }
}
