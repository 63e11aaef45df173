package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.store.EhcacheStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example proxy under slow clients, a hanging origin and a stop: its threads and file descriptors
 * stay bounded, every client gets an answer in bounded time, and a stop finishes what is in flight.
 * Timeouts here are real network timeouts, kept to a second or two.
 */
final class ExampleProxyLimitsTest {

    @TempDir
    Path directory;

    @Test
    void aFloodOfSlowClientsIsHeldWithinTheConnectionLimitWithoutThreadsAndClosedAtTheIdleTimeout() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "counts descriptors in /proc");
        try (DemoOrigin demo = new DemoOrigin(); CachingEngine engine = CachingEngine.builder().build()) {
            ServerLimits limits = ServerLimits.defaults().withMaxConnections(20).withClientIdleTimeout(Duration.ofSeconds(1));
            Server server = ExampleProxy.start(URI.create(demo.url()), "127.0.0.1", 0, engine, Map.of(), true, limits);
            List<Socket> slowClients = new ArrayList<>();
            try {
                int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                URI hello = URI.create("http://127.0.0.1:" + port + "/hello");
                client.send(HttpRequest.newBuilder(hello).build(), HttpResponse.BodyHandlers.ofString());
                long baseline = openDescriptors();

                // 100 clients that send part of a request head and then nothing (slowloris).
                for (int i = 0; i < 100; i++) {
                    Socket slow = new Socket("127.0.0.1", port);
                    slow.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: proxy\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    slowClients.add(slow);
                }
                QueuedThreadPool threads = (QueuedThreadPool) server.getThreadPool();
                // The proxy's side: at most the limit accepted (the rest wait in the kernel's accept queue), no thread each.
                long proxySide = openDescriptors() - baseline - slowClients.size();
                assertTrue(proxySide <= 20 + 5, "descriptors opened by the proxy: " + proxySide);
                assertTrue(threads.getBusyThreads() <= 4, "busy threads: " + threads.getBusyThreads());

                // Every slow client is closed within its idle timeout once accepted: 100 / 20 rounds of 1 s, and some slack.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                for (Socket slow : slowClients) {
                    slow.setSoTimeout((int) Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
                    assertTrue(closedByProxy(slow.getInputStream()), "a slow client still open at the deadline");
                }
                HttpResponse<String> hit = client.send(HttpRequest.newBuilder(hello).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, hit.statusCode());
                assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
            } finally {
                for (Socket slow : slowClients) {
                    slow.close();
                }
                server.stop();
            }
        }
    }

    @Test
    void aHangingOriginHoldsNoThreadsAndEveryRequestGets504WithinTheOriginTimeout() throws Exception {
        ServerSocket hanging = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
        try (CachingEngine engine = CachingEngine.builder().build()) {
            List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(hanging.accept()); // reads nothing, answers nothing
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            ServerLimits limits = ServerLimits.defaults().withOriginTimeout(Duration.ofSeconds(3));
            Server server = ExampleProxy.start(URI.create("http://127.0.0.1:" + hanging.getLocalPort()), "127.0.0.1", 0, engine,
                    Map.of(), true, limits);
            try {
                int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                QueuedThreadPool threads = (QueuedThreadPool) server.getThreadPool();
                // Selectors and acceptors run on the pool: they are busy whatever the load.
                int busyWhenIdle = threads.getBusyThreads();
                long start = System.nanoTime();
                for (int i = 0; i < 150; i++) {
                    responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/page-" + i))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
                }
                CompletableFuture<Void> all = CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new));
                // Once every request is waiting on the origin (each has its connection), no thread is held for it.
                int mostBusyWhileWaiting = -1;
                long allConnected = 0;
                while (!all.isDone() && System.nanoTime() - start < Duration.ofSeconds(20).toNanos()) {
                    if (allConnected == 0 && accepted.size() >= 150) {
                        allConnected = System.nanoTime();
                    }
                    // Sampled once the last requests have left the threads that sent them, before the timeouts fire.
                    long waited = System.nanoTime() - allConnected;
                    if (allConnected != 0 && waited > Duration.ofMillis(500).toNanos() && waited < Duration.ofMillis(2500).toNanos()) {
                        mostBusyWhileWaiting = Math.max(mostBusyWhileWaiting, threads.getBusyThreads());
                    }
                    try {
                        all.get(20, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException notYet) {
                        // sample the pool again
                    }
                }
                for (CompletableFuture<HttpResponse<String>> response : responses) {
                    HttpResponse<String> answered = response.get(1, TimeUnit.SECONDS);
                    assertEquals(504, answered.statusCode(), answered.body());
                    assertTrue(!answered.body().contains("\tat ") && !answered.body().contains("127.0.0.1"), answered.body());
                }
                assertTrue(mostBusyWhileWaiting >= 0, "the origin saw " + accepted.size() + " connections");
                assertTrue(mostBusyWhileWaiting <= busyWhenIdle + 10, "threads busy while 150 requests waited for the origin: "
                        + mostBusyWhileWaiting + ", when idle: " + busyWhenIdle);
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos(), "all answered within the origin timeout and slack");
                assertTrue(threads.getThreads() <= threads.getMaxThreads());
            } finally {
                server.stop();
                hanging.close(); // ends the acceptor
                acceptor.join();
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aStopLetsTheResponseInFlightFinishThenClosesTheDiskTierForTheNextStart() throws Exception {
        byte[] body = "x".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
        CountDownLatch requested = new CountDownLatch(1);
        CountDownLatch stopBegun = new CountDownLatch(1);
        HttpServer origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        origin.createContext("/slow", exchange -> {
            requested.countDown();
            try (exchange) {
                exchange.getResponseHeaders().add("Cache-Control", "public, max-age=600");
                exchange.sendResponseHeaders(200, body.length);
                OutputStream out = exchange.getResponseBody();
                out.write(body, 0, 1000);
                out.flush();
                // The rest comes once the stop has begun.
                assertTrue(stopBegun.await(10, TimeUnit.SECONDS), "the proxy began to stop");
                out.write(body, 1000, body.length - 1000);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        });
        origin.setExecutor(Executors.newCachedThreadPool());
        origin.start();
        Path storeDir = directory.resolve("store");
        URI originUri = URI.create("http://127.0.0.1:" + origin.getAddress().getPort());
        try {
            CachingEngine engine = CachingEngine.builder().store(EhcacheStore.builder().offHeapMegabytes(8)
                    .persistentDirectory(storeDir).diskSize(32L << 20).build()).build();
            Server server = ExampleProxy.start(originUri, "127.0.0.1", 0, engine, Map.of(), false,
                    ServerLimits.defaults().withShutdownGrace(Duration.ofSeconds(10)));
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            server.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStopping(LifeCycle event) {
                    stopBegun.countDown();
                }
            });
            HttpClient client = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<byte[]>> inFlight = client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(requested.await(10, TimeUnit.SECONDS));

            Thread stopping = new Thread(() -> ExampleProxy.stopGracefully(server, engine, null));
            stopping.start();
            HttpResponse<byte[]> finished = inFlight.get(15, TimeUnit.SECONDS);
            stopping.join(15_000);

            assertEquals(200, finished.statusCode());
            assertArrayEquals(body, finished.body(), "the response in flight finished whole");
            assertTrue(server.isStopped());
            assertTrue(refusesConnections(port), "no longer accepting");
        } finally {
            origin.stop(0);
        }
        try (EhcacheStore reopened = EhcacheStore.builder().offHeapMegabytes(8).persistentDirectory(storeDir).diskSize(32L << 20).build()) {
            CacheKey key = CacheKey.of(originUri.resolve("/slow"));
            assertEquals(1, reopened.variants(key).size(), "the disk tier was closed cleanly and is reused");
        }
    }

    private static boolean closedByProxy(InputStream in) throws IOException {
        try {
            while (true) {
                int read = in.read();
                if (read < 0) {
                    return true;
                }
                // A 408 or 400 before closing is as good: read on to the end.
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static boolean refusesConnections(int port) {
        try (Socket accepted = new Socket("127.0.0.1", port)) {
            return !accepted.isConnected();
        } catch (IOException refused) {
            return true;
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }
}
