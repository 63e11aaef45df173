import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberately slow origin for the request-collapsing benchmark, run as a single-file program:
 * {@code java bench/SlowOrigin.java PORT DELAY_MS}. It listens on 127.0.0.1 only.
 *
 * <ul>
 *   <li>{@code GET /any/path} waits {@code DELAY_MS}, then answers 200 with a 64 KiB body that depends
 *       only on the path, and {@code Cache-Control: public, max-age=3600}.</li>
 *   <li>{@code GET /private/any/path} does the same with {@code Cache-Control: private}: a response a
 *       shared cache never stores (the remembered-misses benchmark).</li>
 *   <li>{@code GET /count?path=/any/path} answers how many requests that path has received;
 *       {@code GET /count} answers the total. Requests to {@code /count} are not counted.</li>
 * </ul>
 */
public final class SlowOrigin {

    private static final int BODY_SIZE = 64 * 1024;

    private SlowOrigin() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java SlowOrigin.java PORT DELAY_MS");
            System.exit(2);
            return;
        }
        int port = Integer.parseInt(args[0]);
        long delayMillis = Long.parseLong(args[1]);
        Map<String, AtomicInteger> countsByPath = new ConcurrentHashMap<>();
        AtomicInteger total = new AtomicInteger();

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        // One thread per concurrent request: a proxy that does not collapse must be able to send all of its
        // misses at once, and each one must see the full delay.
        ExecutorService threads = Executors.newFixedThreadPool(256);
        server.setExecutor(threads);
        server.createContext("/count", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            int count = query != null && query.startsWith("path=")
                    ? countsByPath.getOrDefault(query.substring("path=".length()), new AtomicInteger()).get()
                    : total.get();
            send(exchange, 200, "no-store", (count + "\n").getBytes(StandardCharsets.US_ASCII));
        });
        server.createContext("/", exchange -> {
            URI uri = exchange.getRequestURI();
            String path = uri.getRawPath();
            countsByPath.computeIfAbsent(path, unused -> new AtomicInteger()).incrementAndGet();
            total.incrementAndGet();
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                send(exchange, 503, "no-store", new byte[0]);
                return;
            }
            send(exchange, 200, path.startsWith("/private/") ? "private" : "public, max-age=3600", bodyFor(path));
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            threads.shutdownNow();
        }, "slow-origin-stop"));
        server.start();
        System.out.println("slow-origin: on http://127.0.0.1:" + port + " with a delay of " + delayMillis + " ms");
    }

    /** The same bytes for the same path, so that copies served by a cache can be compared with the origin's. */
    private static byte[] bodyFor(String path) {
        byte[] body = new byte[BODY_SIZE];
        new SplittableRandom(path.hashCode()).nextBytes(body);
        return body;
    }

    private static void send(HttpExchange exchange, int status, String cacheControl, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", cacheControl);
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
