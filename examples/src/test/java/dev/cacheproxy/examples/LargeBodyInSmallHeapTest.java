package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The example proxy in a JVM with a 32 MiB heap passes a 256 MiB body through whole: it streams, it does
 * not buffer. Had it held the body, the child JVM would have died of an OutOfMemoryError.
 */
final class LargeBodyInSmallHeapTest {

    private static final long BODY_BYTES = 256L * 1024 * 1024;
    private static final Pattern READY = Pattern.compile("caching proxy on (http://[0-9.]+:[0-9]+)");

    @Test
    void aBodyEightTimesTheHeapStreamsThroughTheProxyWhole() throws Exception {
        HttpServer origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        origin.createContext("/huge", exchange -> {
            exchange.getResponseHeaders().add("Cache-Control", "max-age=600");
            exchange.sendResponseHeaders(200, BODY_BYTES);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] block = block();
                for (long sent = 0; sent < BODY_BYTES; sent += block.length) {
                    out.write(block);
                }
            }
        });
        origin.start();
        Process proxy = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-cp", System.getProperty("java.class.path"), ExampleProxy.class.getName(),
                "--origin", "http://127.0.0.1:" + origin.getAddress().getPort(), "--port", "0"))
                .redirectErrorStream(true)
                .start();
        try {
            String proxyUrl = awaitReady(proxy);
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(proxyUrl + "/huge")).build(), HttpResponse.BodyHandlers.ofInputStream());

            CRC32 received = new CRC32();
            long length = 0;
            try (InputStream body = response.body()) {
                byte[] buffer = new byte[64 * 1024];
                for (int read; (read = body.read(buffer)) >= 0; length += read) {
                    received.update(buffer, 0, read);
                }
            }

            assertEquals(200, response.statusCode());
            assertEquals(BODY_BYTES, length);
            assertEquals(expectedCrc(), received.getValue(), "every byte arrived as the origin sent it");
            assertTrue(proxy.isAlive(), "the proxy survived the transfer");
        } finally {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
            origin.stop(0);
        }
    }

    private static String awaitReady(Process proxy) throws Exception {
        BufferedReader output = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = output.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher ready = READY.matcher(line);
            if (ready.find()) {
                Thread drain = new Thread(() -> output.lines().forEach(ignored -> { }));
                drain.setDaemon(true);
                drain.start();
                return ready.group(1);
            }
        }
        throw new AssertionError("the proxy did not start:\n" + seen);
    }

    private static byte[] block() {
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 7 + (i >>> 9));
        }
        return block;
    }

    private static long expectedCrc() {
        CRC32 crc = new CRC32();
        byte[] block = block();
        for (long sent = 0; sent < BODY_BYTES; sent += block.length) {
            crc.update(block);
        }
        return crc.getValue();
    }
}
