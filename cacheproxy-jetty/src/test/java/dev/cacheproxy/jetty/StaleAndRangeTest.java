package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * RFC 5861 (stale-while-revalidate, stale-if-error), RFC 9111 §5.2.2.2 (must-revalidate), RFC 9110 §14
 * (ranges from a stored response) and RFC 9213 (CDN-Cache-Control) through a real proxy on loopback.
 */
final class StaleAndRangeTest {

    private final ManualClock clock = ManualClock.atSystemTime();
    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    @AutoClose
    private TestOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;


    @Test
    void aResponseStaleWithinItsWindowIsServedAtOnceAndRefreshedInTheBackgroundOnce() throws Exception {
        AtomicInteger version = new AtomicInteger();
        CountDownLatch refreshArrived = new CountDownLatch(1);
        CountDownLatch mayAnswerRefresh = new CountDownLatch(1);
        origin = new TestOrigin().route("/swr", request -> {
            int v = version.incrementAndGet();
            if (v == 2) {
                refreshArrived.countDown();
                assertTrue(mayAnswerRefresh.await(10, TimeUnit.SECONDS));
            }
            return Reply.of(200, "version " + v, "Cache-Control", "max-age=10, stale-while-revalidate=60");
        });
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).clock(clock).build());
        proxy.get("/swr");
        clock.advance(Duration.ofSeconds(15));

        HttpResponse<String> stale = proxy.get("/swr");
        assertTrue(refreshArrived.await(10, TimeUnit.SECONDS), "the refresh went to the origin");
        HttpResponse<String> staleAgain = proxy.get("/swr");
        mayAnswerRefresh.countDown();

        assertEquals("version 1", stale.body());
        assertTrue(stale.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertEquals("version 1", staleAgain.body(), "served stale while the one refresh is under way");
        awaitStoredBody("/swr", "version 2");
        assertEquals(2, origin.requestCount(), "one background refresh, not one per stale hit");
    }

    @Test
    void aStaleResponseWithStaleIfErrorStandsInForAnOrigin503() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        origin = new TestOrigin().route("/sie", request -> calls.incrementAndGet() == 1
                ? Reply.of(200, "good", "Cache-Control", "max-age=10, stale-if-error=60", "ETag", "\"g\"")
                : Reply.of(503, "down for maintenance", "Content-Type", "text/plain"));
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).clock(clock).build());
        proxy.get("/sie");
        clock.advance(Duration.ofSeconds(30));

        HttpResponse<String> duringOutage = proxy.get("/sie");
        clock.advance(Duration.ofSeconds(60));
        HttpResponse<String> pastTheWindow = proxy.get("/sie");

        assertEquals(200, duringOutage.statusCode());
        assertEquals("good", duringOutage.body());
        assertTrue(duringOutage.headers().firstValue("Cache-Status").orElseThrow().contains("fwd-status=503"));
        assertEquals(503, pastTheWindow.statusCode());
        assertEquals("down for maintenance", pastTheWindow.body());
    }

    @Test
    void aStaleMustRevalidateResponseIsNeverServedWhenTheOriginIsDownButAnsweredWith504() throws Exception {
        origin = new TestOrigin()
                .route("/strict", Reply.of(200, "strict", "Cache-Control", "max-age=10, must-revalidate", "ETag", "\"s\""))
                .route("/lenient", Reply.of(200, "lenient", "Cache-Control", "max-age=10", "ETag", "\"l\""));
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).clock(clock).build());
        proxy.get("/strict");
        proxy.get("/lenient");
        origin.close();
        clock.advance(Duration.ofSeconds(30));

        HttpResponse<String> strict = proxy.get("/strict");
        HttpResponse<String> lenient = proxy.get("/lenient");

        assertEquals(504, strict.statusCode());
        assertEquals(200, lenient.statusCode(), "a stale response may stand in for an unreachable origin (RFC 9111 §4.2.4)");
        assertEquals("lenient", lenient.body());
    }

    @Test
    void aByteRangeIsAnsweredFromTheStoredCompleteResponse() throws Exception {
        origin = new TestOrigin().route("/digits", Reply.of(200, "0123456789", "Cache-Control", "max-age=60", "ETag", "\"d\""));
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).clock(clock).build());
        proxy.get("/digits");

        HttpResponse<String> middle = proxy.get("/digits", "Range", "bytes=2-4");
        HttpResponse<String> suffix = proxy.get("/digits", "Range", "bytes=-3");
        HttpResponse<String> beyond = proxy.get("/digits", "Range", "bytes=20-");
        HttpResponse<String> changed = proxy.get("/digits", "Range", "bytes=2-4", "If-Range", "\"other\"");

        assertEquals(206, middle.statusCode());
        assertEquals("234", middle.body());
        assertEquals("bytes 2-4/10", middle.headers().firstValue("Content-Range").orElseThrow());
        assertEquals("789", suffix.body());
        assertEquals(416, beyond.statusCode());
        assertEquals("bytes */10", beyond.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(200, changed.statusCode(), "If-Range that does not match gets the whole response");
        assertEquals("0123456789", changed.body());
        assertEquals(1, origin.requestCount());
    }

    @Test
    void cdnCacheControlTakesPrecedenceOverCacheControlForThisCacheAndIsPassedOn() throws Exception {
        origin = new TestOrigin().route("/cdn", Reply.of(200, "for the cdn", "Cache-Control", "no-store",
                "CDN-Cache-Control", "max-age=600"));
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).clock(clock).build());

        proxy.get("/cdn");
        HttpResponse<String> second = proxy.get("/cdn");

        assertTrue(second.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertEquals("no-store", second.headers().firstValue("Cache-Control").orElseThrow(), "browsers still get no-store");
        assertEquals("max-age=600", second.headers().firstValue("CDN-Cache-Control").orElseThrow());
        assertEquals(1, origin.requestCount());
    }

    /** The background refresh ends on Jetty's client threads: wait for its result without sleeping for time. */
    private void awaitStoredBody(String path, String expected) throws Exception {
        AtomicReference<String> last = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = proxy.get(path, "Cache-Control", "only-if-cached");
            last.set(response.body());
            if (expected.equals(response.body())) {
                return;
            }
            Thread.onSpinWait();
        }
        assertEquals(expected, last.get(), "the refreshed response was stored");
    }
}
