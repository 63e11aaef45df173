package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.core.CacheKeys;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fields the client's {@code Connection} field names never reach the origin (Jetty drops them), so they
 * must not label what the origin answered: not as a {@code Vary} variant, not as a key dimension.
 */
final class ConnectionNamedFieldsTest {

    private static final CacheKeys KEYS = CacheKeys.targetUri().withHeader("X-Tenant");

    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    @AutoClose
    private TestOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;

    @ParameterizedTest
    @EnumSource(ProxyUnderTest.FrontEnd.class)
    void fieldsTheConnectionFieldNamesNeitherSelectAVariantNorAKeyForWhatTheOriginAnswered(ProxyUnderTest.FrontEnd frontEnd)
            throws Exception {
        origin = new TestOrigin().route("/v", request -> Reply.of(200,
                "lang=" + valueOr(request, "Accept-Language") + " tenant=" + valueOr(request, "X-Tenant"),
                "Cache-Control", "max-age=60", "Vary", "Accept-Language"));
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).cacheKeys(KEYS).build(),
                Map.of(), frontEnd);

        String poisoning = rawGet("/v", "Accept-Language: fr", "X-Tenant: acme", "Connection: close, Accept-Language, X-Tenant");
        awaitStoredUnder(KEYS.keyFor(new RequestHead("GET", URI.create(origin.url() + "/v"), HeaderFields.empty())));
        HttpResponse<String> french = proxy.get("/v", "Accept-Language", "fr", "X-Tenant", "acme");

        assertTrue(poisoning.endsWith("lang=none tenant=none"), poisoning);
        assertFalse(origin.received().get(0).headers().contains("Accept-Language"), "Jetty did not forward it");
        assertFalse(origin.received().get(0).headers().contains("X-Tenant"), "Jetty did not forward it");
        assertEquals("lang=fr tenant=acme", french.body(), "not the answer stored for a request without them");
        assertEquals(2, origin.requestCount());
    }

    private static String valueOr(TestOrigin.Received request, String name) {
        String value = request.headers().get(name);
        return value == null ? "none" : value;
    }

    /** A GET written by hand: Java's client will not send a {@code Connection} field. */
    private String rawGet(String pathAndQuery, String... fieldLines) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(20_000);
            StringBuilder request = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + proxy.port() + "\r\n");
            for (String line : fieldLines) {
                request.append(line).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8); // the proxy closes, as asked
        }
    }

    private void awaitStoredUnder(CacheKey key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.variants(key).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the response was stored under " + key.value());
            Thread.onSpinWait();
        }
    }
}
