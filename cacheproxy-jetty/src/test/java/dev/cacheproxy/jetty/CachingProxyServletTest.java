package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.ForwardingCachePolicy;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.Rfc9111Policy;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The caching proxy servlet end to end: a real origin, the proxy and a client, all on 127.0.0.1. */
final class CachingProxyServletTest {

    private final ManualClock clock = ManualClock.atSystemTime();
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @AfterEach
    void stopEverything() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        store.close();
    }

    @Test
    void aSecondGetIsAnsweredFromTheCacheWithAgeAndCacheStatus() throws Exception {
        AtomicInteger served = new AtomicInteger();
        startOrigin().route("/page", request -> Reply.of(200, "page #" + served.incrementAndGet(),
                "Cache-Control", "max-age=60", "Content-Type", "text/plain"));
        startProxy(CachingEngine.builder().store(store).clock(clock).build());

        HttpResponse<String> miss = proxy.get("/page");
        clock.advance(Duration.ofSeconds(5));
        HttpResponse<String> hit = proxy.get("/page");

        assertEquals(1, origin.requestCount());
        assertEquals("page #1", miss.body());
        assertEquals("page #1", hit.body());
        assertTrue(miss.headers().firstValue("Cache-Status").orElseThrow().startsWith("cacheproxy; fwd=uri-miss; fwd-status=200; stored"));
        assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().startsWith("cacheproxy; hit"));
        assertTrue(Integer.parseInt(hit.headers().firstValue("Age").orElseThrow()) >= 5);
        assertEquals("text/plain", hit.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void noStoreAndPrivateResponsesAreNeverAnsweredFromTheCache() throws Exception {
        startOrigin()
                .route("/no-store", Reply.of(200, "secret", "Cache-Control", "no-store"))
                .route("/private", Reply.of(200, "mine", "Cache-Control", "private, max-age=600"));
        startProxy(CachingEngine.builder().store(store).clock(clock).build());

        for (String path : new String[] {"/no-store", "/private"}) {
            proxy.get(path);
            HttpResponse<String> second = proxy.get(path);
            assertTrue(second.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"), path);
        }
        assertEquals(4, origin.requestCount());
    }

    @Test
    void aPostPassesThroughWithItsBodyIntactAndInvalidatesTheStoredPage() throws Exception {
        AtomicInteger version = new AtomicInteger(1);
        startOrigin().route("/doc", request -> request.method().equals("POST")
                ? Reply.of(200, "updated", "Content-Type", "text/plain")
                : Reply.of(200, "doc v" + version.get(), "Cache-Control", "max-age=600"));
        startProxy(CachingEngine.builder().store(store).clock(clock).build());
        assertEquals("doc v1", proxy.get("/doc").body());

        byte[] upload = new byte[300_000];
        new Random(42).nextBytes(upload);
        HttpResponse<String> posted = proxy.send(proxy.request("/doc", "Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build());
        version.set(2);

        assertEquals(200, posted.statusCode());
        assertEquals("updated", posted.body());
        assertArrayEquals(upload, origin.lastReceived().body());
        assertEquals("doc v2", proxy.get("/doc").body());
    }

    @Test
    void anOriginThatIsDownGives502WithAPlainTextReason() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        startProxy(URI.create("http://127.0.0.1:" + closedPort), CachingEngine.builder().store(store).clock(clock).build(), Map.of());

        HttpResponse<String> response = proxy.get("/anything");

        assertEquals(502, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
        assertTrue(response.body().startsWith("Bad Gateway: the origin could not be reached"), response.body());
        assertTrue(response.headers().firstValue("Cache-Status").isPresent());
    }

    @Test
    void anOriginThatDoesNotAnswerInTimeGives504() throws Exception {
        CountDownLatch neverAnswered = new CountDownLatch(1);
        startOrigin().route("/slow", request -> {
            neverAnswered.await(30, TimeUnit.SECONDS);
            return Reply.of(200, "too late");
        });
        startProxy(URI.create(origin.url()), CachingEngine.builder().store(store).clock(clock).build(), Map.of("timeout", "300"));
        try {
            HttpResponse<String> response = proxy.get("/slow");

            assertEquals(504, response.statusCode());
            assertTrue(response.body().startsWith("Gateway Timeout"), response.body());
        } finally {
            neverAnswered.countDown();
        }
    }

    @Test
    void aStoreThatFailsOnEveryCallStillServesEveryRequest() throws Exception {
        CacheStore failing = mock(CacheStore.class);
        when(failing.variants(any())).thenThrow(new CacheStoreException("disk on fire"));
        doThrow(new CacheStoreException("disk on fire")).when(failing).store(any(), any());
        startOrigin().route("/page", Reply.of(200, "still here", "Cache-Control", "max-age=60"));
        startProxy(CachingEngine.builder().store(failing).clock(clock).build());

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = proxy.get("/page");
            assertEquals(200, response.statusCode());
            assertEquals("still here", response.body());
        }
        assertEquals(3, origin.requestCount());
        verify(failing, atLeast(3)).variants(any());
        // The store is written when the origin's body has ended, which Jetty may report just after the
        // client has the whole response: wait (bounded) for the third write rather than race it.
        verify(failing, timeout(5_000).atLeast(3)).store(any(), any());
    }

    @Test
    void aStaleResponseIsRevalidatedWithItsEtagAndServedFromTheCacheOn304() throws Exception {
        startOrigin().route("/etag", request -> "\"v1\"".equals(request.headers().get("If-None-Match"))
                ? Reply.of(304, "", "ETag", "\"v1\"", "Cache-Control", "max-age=60")
                : Reply.of(200, "the body", "ETag", "\"v1\"", "Cache-Control", "max-age=60"));
        startProxy(CachingEngine.builder().store(store).clock(clock).build());
        proxy.get("/etag");

        clock.advance(Duration.ofSeconds(61));
        HttpResponse<String> revalidated = proxy.get("/etag");

        assertEquals(2, origin.requestCount());
        assertEquals("\"v1\"", origin.lastReceived().headers().get("If-None-Match"));
        assertEquals(200, revalidated.statusCode());
        assertEquals("the body", revalidated.body());
        assertTrue(revalidated.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=stale; fwd-status=304"));
    }

    @Test
    void theRequestsHostOrAbsoluteUriNeverChoosesWhereItGoes() throws Exception {
        startOrigin().route("/where", request -> Reply.of(200, "origin got " + request.pathAndQuery()));
        startProxy(CachingEngine.builder().store(store).clock(clock).build());

        String response = rawExchange("GET http://elsewhere.invalid:9/where?x=1 HTTP/1.1\r\nHost: elsewhere.invalid:9\r\nConnection: close\r\n\r\n");

        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.endsWith("origin got /where?x=1"), response);
        assertEquals(1, origin.requestCount());
    }

    @Test
    void aCustomPolicyNeverCachesTheApiAndCaches404sForAMinute() throws Exception {
        CachePolicy policy = new ForwardingCachePolicy(Rfc9111Policy.sharedCache()) {
            @Override
            public Storability storability(RequestHead request, ResponseHead response, Instant now) {
                if (request.path().startsWith("/api/")) {
                    return new Storability.DoNotStore("policy: /api/** is never cached");
                }
                if (response.status() == 404) {
                    return new Storability.Store(Duration.ofSeconds(60), "policy: 404 for 60 s");
                }
                return super.storability(request, response, now);
            }
        };
        startOrigin().route("/api/items", Reply.of(200, "items", "Cache-Control", "max-age=600"));
        startProxy(CachingEngine.builder().store(store).policy(policy).clock(clock).build());

        proxy.get("/api/items");
        proxy.get("/api/items");
        proxy.get("/missing");
        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> missingAgain = proxy.get("/missing");
        clock.advance(Duration.ofSeconds(31));
        proxy.get("/missing");

        assertEquals(404, missingAgain.statusCode());
        assertTrue(missingAgain.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertEquals(2 + 2, origin.requestCount());
    }

    @Test
    void aHeadRequestIsAnsweredFromAStoredGetWithoutABody() throws Exception {
        startOrigin().route("/file", Reply.of(200, "0123456789", "Cache-Control", "max-age=60"));
        startProxy(CachingEngine.builder().store(store).clock(clock).build());
        proxy.get("/file");

        HttpResponse<String> head = proxy.send(proxy.request("/file").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("10", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(1, origin.requestCount());
    }

    @Test
    void anOriginThatClosesMidBodyLeavesNothingStoredAndTheClientSeesAnAbortedResponse() throws Exception {
        try (ServerSocket lyingOrigin = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = new AtomicInteger();
            Thread originThread = new Thread(() -> {
                while (!lyingOrigin.isClosed()) {
                    try (Socket socket = lyingOrigin.accept()) {
                        connections.incrementAndGet();
                        readRequestHead(socket.getInputStream());
                        OutputStream out = socket.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 1000\r\n\r\n"
                                + "only part of it").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (Exception closed) {
                        return;
                    }
                }
            });
            originThread.start();
            startProxy(URI.create("http://127.0.0.1:" + lyingOrigin.getLocalPort()), CachingEngine.builder().store(store).clock(clock).build(), Map.of());

            for (int i = 0; i < 2; i++) {
                // Nothing was committed yet, so the proxy can still say 502; had it been, the connection would be cut.
                try {
                    HttpResponse<String> response = proxy.get("/short");
                    assertEquals(502, response.statusCode(), "a short body must never look like a complete 200");
                } catch (java.io.IOException aborted) {
                    // an aborted response is the other honest outcome
                }
            }
            assertEquals(2, connections.get(), "the incomplete body must not have been stored");
            assertFalse(store.variants(dev.cacheproxy.api.CacheKey.of(URI.create("http://127.0.0.1:" + lyingOrigin.getLocalPort() + "/short"))).iterator().hasNext());
        }
    }

    private TestOrigin startOrigin() throws Exception {
        origin = new TestOrigin();
        return origin;
    }

    private void startProxy(CachingEngine engine) throws Exception {
        startProxy(URI.create(origin.url()), engine, Map.of());
    }

    private void startProxy(URI originUri, CachingEngine engine, Map<String, String> initParameters) throws Exception {
        proxy = new ProxyUnderTest(originUri, engine, initParameters);
    }

    private String rawExchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void readRequestHead(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                return;
            }
        }
    }
}
