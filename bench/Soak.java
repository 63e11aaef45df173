import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The origin and the clients of bench/soak.sh and bench/faults.sh, run as a single-file program.
 *
 * <pre>
 * java bench/Soak.java origin PORT
 *     an origin on 127.0.0.1:PORT until killed (see {@link Origin} for its resources)
 * java bench/Soak.java soak PROXY_URL PROXY_PID ORIGIN_PORT MINUTES ADMIN_TOKEN [CLIENTS] [REQUESTS_PER_SECOND]
 *     runs the origin itself, restarting it every minute, sends mixed traffic through the proxy and
 *     prints, once a minute, what the clients got and the proxy's heap after GC, RSS, threads and fds
 * java bench/Soak.java fetch PROXY_URL PATH...
 *     fetches each path once and prints one line per response: status, Cache-Status, whether the body
 *     matched its X-Body-Sha256 (exit status 1 when any did not, or a request failed)
 * </pre>
 *
 * Every body the origin sends carries {@code X-Body-Sha256}; a client that reads a different body
 * through the proxy (a damaged cache entry served) counts a mismatch.
 */
public final class Soak {

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("origin")) {
            Origin origin = new Origin(Integer.parseInt(args[1]));
            origin.start();
            System.out.println("origin on 127.0.0.1:" + args[1]);
            Thread.currentThread().join();
        } else if (args.length >= 6 && args[0].equals("soak")) {
            int clients = args.length > 6 ? Integer.parseInt(args[6]) : 8;
            int rate = args.length > 7 ? Integer.parseInt(args[7]) : 300;
            new SoakRun(URI.create(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5],
                    clients, rate).run();
        } else if (args.length >= 3 && args[0].equals("fetch")) {
            System.exit(fetch(URI.create(args[1]), List.of(args).subList(2, args.length)));
        } else {
            System.err.println("usage: java Soak.java origin PORT | soak PROXY_URL PROXY_PID ORIGIN_PORT MINUTES ADMIN_TOKEN [CLIENTS] [RPS]"
                    + " | fetch PROXY_URL PATH...");
            System.exit(2);
        }
    }

    private static int fetch(URI proxy, List<String> paths) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int bad = 0;
        for (String path : paths) {
            HttpRequest request = HttpRequest.newBuilder(proxy.resolve(path)).timeout(Duration.ofSeconds(10)).build();
            try {
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                String verdict = bodyVerdict(response);
                if (!verdict.equals("body ok") || response.statusCode() >= 500) {
                    bad++;
                }
                System.out.println(path + " -> " + response.statusCode() + " " + response.body().length + " bytes, " + verdict
                        + ", Cache-Status: " + response.headers().firstValue("Cache-Status").orElse("-"));
            } catch (IOException failed) {
                bad++;
                System.out.println(path + " -> no response: " + failed);
            }
        }
        return bad == 0 ? 0 : 1;
    }

    private static String bodyVerdict(HttpResponse<byte[]> response) {
        Optional<String> expected = response.headers().firstValue("X-Body-Sha256");
        if (expected.isEmpty()) {
            return response.statusCode() == 304 || response.statusCode() >= 400 ? "body ok" : "no checksum";
        }
        return expected.get().equals(sha256(response.body())) ? "body ok" : "BODY MISMATCH";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * The origin. {@code GET /obj/NAME?size=N&ttl=S}: N deterministic bytes for NAME, public for S
     * seconds, with an ETag (a matching {@code If-None-Match} gets 304). {@code GET /private/NAME}:
     * a small {@code private} body. Every 200 carries {@code X-Body-Sha256}.
     */
    static final class Origin {
        private final int port;
        private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
        private final Map<String, String> checksums = new ConcurrentHashMap<>();
        private HttpServer server;

        Origin(int port) {
            this.port = port;
        }

        synchronized void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
            server.setExecutor(Executors.newFixedThreadPool(16));
            server.createContext("/", this::handle);
            server.start();
        }

        synchronized void stop() {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                URI uri = exchange.getRequestURI();
                String path = uri.getPath();
                Map<String, String> query = query(uri.getRawQuery());
                if (path.startsWith("/obj/")) {
                    int size = Integer.parseInt(query.getOrDefault("size", "1024"));
                    String ttl = query.getOrDefault("ttl", "60");
                    String key = path + "?" + size;
                    byte[] body = bodies.computeIfAbsent(key, k -> deterministic(k, size));
                    String etag = "\"" + Integer.toHexString(key.hashCode()) + "-" + size + "\"";
                    exchange.getResponseHeaders().add("Cache-Control", "public, max-age=" + ttl);
                    exchange.getResponseHeaders().add("ETag", etag);
                    if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                        exchange.sendResponseHeaders(304, -1);
                        return;
                    }
                    send(exchange, key, body);
                } else if (path.startsWith("/private/")) {
                    exchange.getResponseHeaders().add("Cache-Control", "private, max-age=60");
                    send(exchange, path, ("private page " + path + " for one user\n").getBytes(StandardCharsets.UTF_8));
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        }

        private void send(HttpExchange exchange, String key, byte[] body) throws IOException {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.getResponseHeaders().add("X-Body-Sha256", checksums.computeIfAbsent(key, k -> sha256(body)));
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        private static byte[] deterministic(String key, int size) {
            byte[] body = new byte[size];
            SplittableRandom random = new SplittableRandom(key.hashCode());
            for (int i = 0; i < size; i++) {
                body[i] = (byte) ('a' + random.nextInt(26));
            }
            return body;
        }

        private static Map<String, String> query(String raw) {
            Map<String, String> values = new TreeMap<>();
            if (raw != null) {
                for (String pair : raw.split("&")) {
                    int equals = pair.indexOf('=');
                    if (equals > 0) {
                        values.put(pair.substring(0, equals), pair.substring(equals + 1));
                    }
                }
            }
            return values;
        }
    }

    /** The soak: mixed traffic through the proxy, the origin restarted every minute, one report a minute. */
    static final class SoakRun {
        private final URI proxy;
        private final long proxyPid;
        private final int minutes;
        private final String adminToken;
        private final int clients;
        private final int requestsPerSecond;
        private final Origin origin;
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
        /** When the origin went down and came back, in nanoTime: a 5xx overlapping one (plus slack) is explained. */
        private final ConcurrentSkipListMap<Long, Long> downWindows = new ConcurrentSkipListMap<>();
        private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        private final Map<String, LongAdder> totals = new ConcurrentHashMap<>();
        private final AtomicLong missCounter = new AtomicLong();
        private volatile boolean running = true;

        SoakRun(URI proxy, long proxyPid, int originPort, int minutes, String adminToken, int clients, int requestsPerSecond) {
            this.proxy = proxy;
            this.proxyPid = proxyPid;
            this.minutes = minutes;
            this.adminToken = adminToken;
            this.clients = clients;
            this.requestsPerSecond = requestsPerSecond;
            this.origin = new Origin(originPort);
        }

        void run() throws Exception {
            origin.start();
            List<Thread> threads = new ArrayList<>();
            long intervalNanos = Duration.ofSeconds(1).toNanos() * clients / requestsPerSecond;
            for (int i = 0; i < clients; i++) {
                Thread thread = new Thread(() -> clientLoop(intervalNanos), "soak-client-" + i);
                thread.start();
                threads.add(thread);
            }
            System.out.printf("%-6s %8s %8s %6s  %-60s %9s %8s %7s %5s%n", "minute", "requests", "ok", "hit%", "errors by kind",
                    "heapGC_MiB", "RSS_MiB", "threads", "fds");
            System.out.println("start  " + " ".repeat(33) + "proxy: " + sample());
            for (int minute = 1; minute <= minutes; minute++) {
                Thread.sleep(58_000);
                // The origin restarts once a minute: down for about a second, its connections reset.
                long down = System.nanoTime();
                downWindows.put(down, Long.MAX_VALUE);
                origin.stop();
                Thread.sleep(1000);
                startOrigin();
                downWindows.put(down, System.nanoTime());
                Thread.sleep(1000);
                report(minute);
            }
            running = false;
            for (Thread thread : threads) {
                thread.join(Duration.ofSeconds(40).toMillis());
            }
            origin.stop();
            System.out.println("TOTAL  " + summary(totals));
            long unexplained = totals.entrySet().stream()
                    .filter(e -> !e.getKey().startsWith("ok") && !e.getKey().startsWith("explained"))
                    .mapToLong(e -> e.getValue().sum()).sum();
            System.out.println(unexplained == 0 ? "RESULT: no error a healthy origin would not explain"
                    : "RESULT: " + unexplained + " errors a healthy origin would not explain");
            System.exit(unexplained == 0 ? 0 : 1);
        }

        private void startOrigin() throws InterruptedException {
            for (int attempt = 0; ; attempt++) {
                try {
                    origin.start();
                    return;
                } catch (IOException portStillHeld) {
                    if (attempt > 50) {
                        throw new IllegalStateException("cannot restart the origin", portStillHeld);
                    }
                    Thread.sleep(100);
                }
            }
        }

        private void clientLoop(long intervalNanos) {
            long next = System.nanoTime();
            while (running) {
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException stop) {
                        return;
                    }
                } else if (wait < -Duration.ofSeconds(1).toNanos()) {
                    next = System.nanoTime(); // fell behind (a slow response): do not burst to catch up
                }
                oneRequest();
            }
        }

        private void oneRequest() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int pick = random.nextInt(100);
            String kind;
            HttpRequest.Builder request;
            if (pick < 50) {
                kind = "hit";
                request = get("/obj/hot-" + random.nextInt(200) + "?size=4096&ttl=3600");
            } else if (pick < 60) {
                kind = "large";
                request = get("/obj/large-" + random.nextInt(20) + "?size=" + (1 << 20) + "&ttl=3600");
            } else if (pick < 75) {
                kind = "miss";
                request = get("/obj/miss-" + missCounter.incrementAndGet() + "?size=16384&ttl=60");
            } else if (pick < 87) {
                kind = "revalidate";
                request = get("/obj/reval-" + random.nextInt(50) + "?size=8192&ttl=2");
            } else if (pick < 97) {
                kind = "private";
                request = get("/private/user-" + random.nextInt(100));
            } else {
                kind = "purge";
                request = HttpRequest.newBuilder(proxy.resolve("/obj/hot-" + random.nextInt(200) + "?size=4096&ttl=3600"))
                        .method("PURGE", HttpRequest.BodyPublishers.noBody())
                        .header("Authorization", "Bearer " + adminToken);
            }
            long start = System.nanoTime();
            String outcome;
            try {
                HttpResponse<byte[]> response = client.send(request.timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                outcome = classify(kind, response, start);
            } catch (HttpTimeoutException timedOut) {
                outcome = "timeout";
            } catch (IOException failed) {
                outcome = "connection error (" + failed.getClass().getSimpleName() + ")";
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
                return;
            }
            outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
            totals.computeIfAbsent(outcome, k -> new LongAdder()).increment();
        }

        private HttpRequest.Builder get(String path) {
            return HttpRequest.newBuilder(proxy.resolve(path)).GET();
        }

        private String classify(String kind, HttpResponse<byte[]> response, long start) {
            int status = response.statusCode();
            if (kind.equals("purge")) {
                return status == 200 ? "ok" : "purge answered " + status;
            }
            if (status >= 500) {
                return overlapsOriginRestart(start, System.nanoTime()) ? "explained " + status + " (origin restarting)"
                        : status + " while the origin was up";
            }
            if (status != 200) {
                return "unexpected " + status;
            }
            if (!bodyVerdict(response).equals("body ok")) {
                return "body mismatch";
            }
            boolean hit = response.headers().firstValue("Cache-Status").map(value -> value.contains("; hit")).orElse(false);
            return hit ? "ok hit" : "ok";
        }

        private boolean overlapsOriginRestart(long start, long end) {
            long slack = Duration.ofSeconds(2).toNanos();
            // A window still open (the origin not back yet) ends at Long.MAX_VALUE.
            for (Map.Entry<Long, Long> window : downWindows.tailMap(start - Duration.ofMinutes(2).toNanos()).entrySet()) {
                long windowEnd = window.getValue() == Long.MAX_VALUE ? Long.MAX_VALUE : window.getValue() + slack;
                if (window.getKey() - slack <= end && start <= windowEnd) {
                    return true;
                }
            }
            return false;
        }

        private void report(int minute) {
            Map<String, Long> counts = new TreeMap<>();
            outcomes.forEach((outcome, count) -> counts.put(outcome, count.sumThenReset()));
            long requests = counts.values().stream().mapToLong(Long::longValue).sum();
            long ok = counts.entrySet().stream().filter(e -> e.getKey().startsWith("ok")).mapToLong(Map.Entry::getValue).sum();
            long hits = counts.getOrDefault("ok hit", 0L);
            StringBuilder errors = new StringBuilder();
            counts.forEach((outcome, count) -> {
                if (!outcome.startsWith("ok") && count > 0) {
                    errors.append(errors.length() == 0 ? "" : "; ").append(outcome).append(": ").append(count);
                }
            });
            System.out.printf("%-6d %8d %8d %5.1f%%  %-60s %s%n", minute, requests, ok, requests == 0 ? 0.0 : 100.0 * hits / requests,
                    errors.length() == 0 ? "none" : errors, sample());
        }

        private static String summary(Map<String, LongAdder> counts) {
            StringBuilder line = new StringBuilder();
            new TreeMap<>(counts).forEach((outcome, count) -> line.append(outcome).append(": ").append(count.sum()).append("; "));
            return line.toString();
        }

        /** The proxy's heap after a full GC, resident memory, threads and open file descriptors. */
        private String sample() {
            String heap = "?";
            try {
                run("GC.run");
                String info = run("GC.heap_info");
                java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
                if (used.find()) {
                    heap = Long.toString(Long.parseLong(used.group(1)) / 1024);
                }
            } catch (IOException | InterruptedException cannotAsk) {
                heap = "?";
            }
            String rss = "?";
            String threads = "?";
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + proxyPid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.toString(Long.parseLong(line.replaceAll("\\D", "")) / 1024);
                    } else if (line.startsWith("Threads:")) {
                        threads = line.replaceAll("\\D", "");
                    }
                }
            } catch (IOException gone) {
                rss = "gone";
            }
            String fds;
            try (var list = Files.list(Path.of("/proc/" + proxyPid + "/fd"))) {
                fds = Long.toString(list.count());
            } catch (IOException gone) {
                fds = "?";
            }
            return String.format("%9s %8s %7s %5s", heap, rss, threads, fds);
        }

        private String run(String command) throws IOException, InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process process = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(proxyPid), command)
                    .redirectErrorStream(true).start();
            try (InputStream out = process.getInputStream()) {
                String text = new String(out.readAllBytes(), StandardCharsets.UTF_8);
                process.waitFor();
                return text;
            }
        }
    }
}
