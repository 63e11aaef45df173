package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Bodies that are large, cut short, reset, or abandoned by the client, through a real proxy on loopback. */
final class StreamingTest {

    private static final int HALF = 256 * 1024;

    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(16).build();
    @AutoClose
    private RawOrigin rawOrigin;
    @AutoClose
    private TestOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;


    @Test
    void aBodyOverTheMaximumObjectSizeStreamsWholeToTheClientAndIsNotStored() throws Exception {
        byte[] body = pattern(3 * 1024 * 1024);
        origin = new TestOrigin().route("/big", new Reply(200, List.of("Cache-Control", "max-age=600"), body));
        proxy = new ProxyUnderTest(URI.create(origin.url()),
                CachingEngine.builder().store(store).maxObjectSize(1024 * 1024).build());

        HttpResponse<byte[]> first = getBytes("/big");
        HttpResponse<byte[]> second = getBytes("/big");

        assertArrayEquals(body, first.body());
        assertArrayEquals(body, second.body());
        assertEquals(2, origin.requestCount(), "too big to store, so each request goes to the origin");
        String cacheStatus = first.headers().firstValue("Cache-Status").orElseThrow();
        assertTrue(!cacheStatus.contains("; stored") && cacheStatus.contains("not stored: larger than the maximum object size"),
                cacheStatus);
    }

    @Test
    void aBodyShorterThanItsContentLengthReachesTheClientAsAnAbortedResponseAndIsNeverStored() throws Exception {
        rawOrigin = new RawOrigin(requestLine -> new RawOrigin.Answer(concat(
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: " + (2 * HALF) + "\r\n\r\n",
                pattern(HALF)), true));
        assertIncompleteBodyIsAbortedAndNotStored("/short");
    }

    @Test
    void aChunkedBodyWithoutItsLastChunkReachesTheClientAsAnAbortedResponseAndIsNeverStored() throws Exception {
        rawOrigin = new RawOrigin(requestLine -> new RawOrigin.Answer(concat(
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(HALF) + "\r\n", pattern(HALF), "\r\n"), true));
        assertIncompleteBodyIsAbortedAndNotStored("/unterminated");
    }

    @Test
    void anOriginThatResetsMidBodyLeavesNothingStored() throws Exception {
        rawOrigin = new RawOrigin(requestLine -> new RawOrigin.Answer(concat(
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: " + (2 * HALF) + "\r\n\r\n",
                pattern(HALF)), true, true));
        assertIncompleteBodyIsAbortedAndNotStored("/reset");
    }

    @Test
    void aClientThatGoesAwayMidBodyDoesNotLoseTheEntryBeingFilled() throws Exception {
        CountDownLatch clientGone = new CountDownLatch(1);
        byte[] body = pattern(2 * HALF);
        rawOrigin = new RawOrigin(requestLine -> new RawOrigin.Answer(concat(
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: " + body.length + "\r\n\r\n",
                Arrays.copyOf(body, HALF)), false, false, () -> {
                    awaitUninterruptibly(clientGone);
                    return Arrays.copyOfRange(body, HALF, body.length);
                }));
        proxy = new ProxyUnderTest(URI.create(rawOrigin.url()), CachingEngine.builder().store(store).build());

        try (Socket client = new Socket("127.0.0.1", proxy.port())) {
            client.getOutputStream().write("GET /abandoned HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            byte[] some = new byte[8192];
            assertTrue(in.read(some) > 0, "the response started");
        }
        clientGone.countDown();

        HttpResponse<byte[]> later = awaitStored("/abandoned");
        assertArrayEquals(body, later.body());
        assertEquals(1, rawOrigin.requestLines().size(), "the second request was a hit");
    }

    private void assertIncompleteBodyIsAbortedAndNotStored(String path) throws Exception {
        proxy = new ProxyUnderTest(URI.create(rawOrigin.url()), CachingEngine.builder().store(store).build());

        for (int i = 0; i < 2; i++) {
            assertThrows(IOException.class, () -> getBytes(path), "the client must see an aborted response, not a short one");
        }
        assertEquals(2, rawOrigin.requestLines().size(), "the incomplete body was not stored");
        assertTrue(store.variants(CacheKey.of(URI.create(rawOrigin.url() + path))).isEmpty());
    }

    private HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return proxy.send(proxy.request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The store is filled on Jetty's threads after the client left: ask until it answers from the cache. */
    private HttpResponse<byte[]> awaitStored(String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpRequest onlyIfCached = proxy.request(path, "Cache-Control", "only-if-cached").GET().build();
        HttpResponse<byte[]> response = proxy.send(onlyIfCached, HttpResponse.BodyHandlers.ofByteArray());
        while (response.statusCode() == 504 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            response = proxy.send(onlyIfCached, HttpResponse.BodyHandlers.ofByteArray());
        }
        assertEquals(200, response.statusCode(), "the abandoned response was stored whole");
        return response;
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8));
        }
        return bytes;
    }

    private static byte[] concat(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            byte[] bytes = part instanceof byte[] b ? b : part.toString().getBytes(StandardCharsets.ISO_8859_1);
            out.write(bytes, 0, bytes.length);
        }
        return out.toByteArray();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
