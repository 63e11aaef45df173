import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * One backend of the failover benchmark, run as a single-file program:
 * {@code java bench/FailoverBackend.java PORT NAME}. It listens on 127.0.0.1 only and answers every
 * {@code GET} with 200, {@code Cache-Control: no-store} (so that every request reaches a backend) and a
 * small body naming itself; {@code /health} answers 200 too.
 */
public final class FailoverBackend {

    private FailoverBackend() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java bench/FailoverBackend.java PORT NAME");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        byte[] body = ("backend " + args[1] + "\n" + "x".repeat(512) + "\n").getBytes(StandardCharsets.US_ASCII);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        System.out.println("backend " + args[1] + " on 127.0.0.1:" + port);
    }
}
