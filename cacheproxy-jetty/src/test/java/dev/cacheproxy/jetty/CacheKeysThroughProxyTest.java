package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CacheKeys;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.CacheKeyCases;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each ready-made cache key piece, through a real origin, the caching proxy servlet and a real client. */
final class CacheKeysThroughProxyTest {

    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @AfterEach
    void stopEverything() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        store.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cacheproxy.testing.CacheKeyCases#cases")
    void theKeyFunctionDecidesWhichRequestsShareAResponseWhileTheOriginSeesTheRequestAsSent(CacheKeyCases.Case test) throws Exception {
        origin = new TestOrigin();
        for (String path : List.of("/p", "/P")) {
            origin.route(path, request -> Reply.of(200, "for " + request.pathAndQuery(), "Cache-Control", "max-age=60"));
        }
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).cacheKeys(test.keys()).build());

        HttpResponse<String> first = proxy.get(test.first(), test.firstHeaders().toArray(String[]::new));
        HttpResponse<String> second = proxy.get(test.second(), test.secondHeaders().toArray(String[]::new));

        assertEquals("for " + test.first(), first.body());
        assertEquals(test.first(), origin.received().get(0).pathAndQuery(), "the origin gets the URI the client sent");
        if (test.shared()) {
            assertEquals(1, origin.requestCount());
            assertTrue(second.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
            assertEquals("for " + test.first(), second.body());
        } else {
            assertEquals(2, origin.requestCount());
            assertEquals("for " + test.second(), second.body());
        }
    }

    @Test
    void purgeByUrlRemovesWhatTheKeyFunctionStored() throws Exception {
        origin = new TestOrigin().route("/p", request -> Reply.of(200, "for " + request.pathAndQuery(), "Cache-Control", "max-age=60"));
        CachingEngine engine = CachingEngine.builder().store(store)
                .cacheKeys(CacheKeys.targetUri().ignoreQueryParameters("utm_*")).build();
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine);

        proxy.get("/p?utm_source=news");
        // The store is written when the origin's body has ended, which may come just after the client has it.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (store.statistics().entries() < 1) {
            assertTrue(System.nanoTime() < deadline, "the response was stored");
            Thread.onSpinWait();
        }
        long purged = engine.purge(URI.create(origin.url() + "/p?utm_campaign=spring")).entries().orElseThrow();
        proxy.get("/p");

        assertEquals(1, purged);
        assertEquals(2, origin.requestCount());
    }

    @Test
    void cacheStatusShowsTheKeyOnlyWhenTheDebugSwitchIsOn() throws Exception {
        origin = new TestOrigin().route("/p", Reply.of(200, "p", "Cache-Control", "max-age=60"));
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store)
                .cacheKeys(CacheKeys.targetUri().withHeader("X-Tenant")).build());
        HttpResponse<String> quiet = proxy.get("/p", "X-Tenant", "acme");
        proxy.close();
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store)
                .cacheKeys(CacheKeys.targetUri().withHeader("X-Tenant")).showKeyInCacheStatus(true).build());

        HttpResponse<String> shown = proxy.get("/p", "X-Tenant", "acme co");

        assertFalse(quiet.headers().firstValue("Cache-Status").orElseThrow().contains("key="));
        assertTrue(shown.headers().firstValue("Cache-Status").orElseThrow()
                .endsWith("; key=\"" + URI.create(origin.url()).toString() + "/p header:x-tenant=acme%20co\""),
                shown.headers().firstValue("Cache-Status").orElseThrow());
    }
}
