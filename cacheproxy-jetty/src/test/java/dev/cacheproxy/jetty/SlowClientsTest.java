package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Clients that read slowly hold connections and buffers, never the server's threads: with a pool smaller
 * than the number of stalled clients, a new client still gets its hit and its miss.
 */
final class SlowClientsTest {

    /** Threads in the proxy's pool, shared by its server and its client to the origin. */
    private static final int POOL = 10;
    /** Clients that ask for a large body and then read nothing: more than the pool has threads. */
    private static final int STALLED = POOL + 4;
    /** Far more than the socket buffers and Jetty's output buffer hold between the proxy and a stalled client. */
    private static final int LARGE = 2 * 1024 * 1024;

    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(32).build();
    @AutoClose
    private final TestOrigin origin = new TestOrigin();
    private final Server server = new Server(smallPool());
    private final List<Socket> stalled = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SlowClientsTest() throws Exception {
        byte[] large = pattern(LARGE);
        for (int i = 0; i < STALLED; i++) {
            origin.route("/large-" + i, new Reply(200, List.of("Cache-Control", "max-age=600"), large));
        }
        origin.route("/shared-large", new Reply(200, List.of("Cache-Control", "max-age=600"), large));
        origin.route("/small", Reply.of(200, "small and stored", "Cache-Control", "max-age=600"));
        origin.route("/fresh", Reply.of(200, "fresh from the origin", "Cache-Control", "max-age=600"));
    }

    @AfterEach
    void closeClientsThenServer() throws Exception {
        for (Socket socket : stalled) {
            socket.close();
        }
        server.stop();
    }

    @Test
    void clientsStalledOnLargeMissesHoldNoThreadAndANewClientStillGetsAHitAndAMiss() throws Exception {
        int port = startProxy();
        assertEquals("small and stored", get(port, "/small").body());

        for (int i = 0; i < STALLED; i++) {
            stall(port, "/large-" + i);
        }
        assertEquals(1 + STALLED, origin.requestCount(), "each stalled client's miss went to the origin");

        assertNewClientIsServed(port);
    }

    @Test
    void clientsStalledOnALargeHitHoldNoThreadAndANewClientStillGetsAHitAndAMiss() throws Exception {
        int port = startProxy();
        assertEquals("small and stored", get(port, "/small").body());
        assertArrayEquals(pattern(LARGE), getBytes(port, "/shared-large"));
        int originRequests = origin.requestCount();

        for (int i = 0; i < STALLED; i++) {
            stall(port, "/shared-large");
        }
        assertEquals(originRequests, origin.requestCount(), "the stalled clients were answered from the cache");

        assertNewClientIsServed(port);
    }

    private void assertNewClientIsServed(int port) throws Exception {
        HttpResponse<String> hit = get(port, "/small");
        assertEquals(200, hit.statusCode());
        assertEquals("small and stored", hit.body());
        assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().contains("hit"), hit.headers().toString());

        HttpResponse<String> miss = get(port, "/fresh");
        assertEquals(200, miss.statusCode());
        assertEquals("fresh from the origin", miss.body());
        assertTrue(miss.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"), miss.headers().toString());
    }

    private int startProxy() throws Exception {
        CachingProxyServlet servlet = new CachingProxyServlet(URI.create(origin.url()), CachingEngine.builder().store(store).build());
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        // Small socket buffers: a client that reads nothing holds back the proxy within a few KiB.
        connector.setAcceptedSendBufferSize(16 * 1024);
        // Longer than the test: a thread a stalled client held would stay held.
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        holder.setInitParameter("selectors", "1");
        context.addServlet(holder, "/*");
        server.setHandler(context);
        server.start();
        return connector.getLocalPort();
    }

    private static QueuedThreadPool smallPool() {
        QueuedThreadPool pool = new QueuedThreadPool(POOL, POOL);
        pool.setReservedThreads(0);
        pool.setName("proxy");
        return pool;
    }

    /**
     * A client that asks for a path, reads the response head and then nothing more, holding its connection
     * open. Once it has the head the proxy is writing the body, which fills the socket buffers at once.
     */
    private void stall(int port, String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(20_000);
        stalled.add(socket);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
            int read = in.read();
            if (read < 0) {
                throw new IOException("the proxy closed the connection before the response head");
            }
            head.write(read);
        }
        assertTrue(head.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"), head.toString(StandardCharsets.ISO_8859_1));
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return client.send(request(port, path), HttpResponse.BodyHandlers.ofString());
    }

    private byte[] getBytes(int port, String path) throws IOException, InterruptedException {
        return client.send(request(port, path), HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    /** A bounded wait: a proxy whose threads are all held never answers, and the request times out. */
    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build();
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8));
        }
        return bytes;
    }

}
