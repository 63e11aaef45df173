package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CacheKeys;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Purges and statistics over HTTP through the proxy servlet: a real origin, the proxy and a client on 127.0.0.1. */
final class AdminEndpointTest {

    private static final String TOKEN = "s3cret-token-0123";

    private final ManualClock clock = ManualClock.atSystemTime();
    private final CachingEngine engine = CachingEngine.builder()
            .store(EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build()).clock(clock).build();
    private final AtomicInteger served = new AtomicInteger();
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void startOrigin() throws Exception {
        origin = new TestOrigin();
        for (String path : new String[] {"/page", "/other", "/a", "/b", "/c"}) {
            origin.route(path, request -> Reply.of(200, path + " #" + served.incrementAndGet(), "Cache-Control", "max-age=600",
                    "Vary", "Accept-Language", "Surrogate-Key", path.equals("/c") ? "t2" : "t1 all"));
        }
    }

    @AfterEach
    void stopEverything() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
        engine.close();
    }

    @Test
    void withoutTheRightTokenAnAdminRequestIsRefusedWith401AndNothingIsPurged() throws Exception {
        startProxy(Map.of("adminToken", TOKEN));
        proxy.get("/page");

        HttpResponse<String> noToken = purge("/page");
        HttpResponse<String> wrongToken = purge("/page", "Authorization", "Bearer not-the-token");
        HttpResponse<String> otherScheme = purge("/page", "Authorization", "Basic " + TOKEN);
        HttpResponse<String> purgeAll = post("/_cacheproxy/purge-all", "Authorization", "Bearer " + TOKEN + "x");
        HttpResponse<String> stats = proxy.get("/_cacheproxy/stats");

        for (HttpResponse<String> refused : java.util.List.of(noToken, wrongToken, otherScheme, purgeAll, stats)) {
            assertEquals(401, refused.statusCode(), refused.uri().toString());
            assertEquals("Bearer realm=\"cacheproxy\"", refused.headers().firstValue("WWW-Authenticate").orElseThrow());
        }
        assertTrue(proxy.get("/page").headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertEquals(1, origin.requestCount(), "no admin request reached the origin");
    }

    @Test
    void aPurgeWithTheTokenRemovesEveryVariantOfThatUrlAndNoOther() throws Exception {
        startProxy(Map.of("adminToken", TOKEN));
        proxy.get("/page", "Accept-Language", "en");
        proxy.get("/page", "Accept-Language", "fr");
        proxy.get("/other");

        HttpResponse<String> purged = purge("/page", "Authorization", "Bearer " + TOKEN);

        assertEquals(200, purged.statusCode());
        assertEquals("{\"purged\":\"url http://127.0.0.1:" + originPort() + "/page\",\"entries\":1}\n", purged.body());
        assertEquals("no-store", purged.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(proxy.get("/page", "Accept-Language", "en").headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
        assertTrue(proxy.get("/page", "Accept-Language", "fr").headers().firstValue("Cache-Status").orElseThrow().contains("fwd=vary-miss"));
        assertTrue(proxy.get("/other").headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertFalse(origin.received().stream().anyMatch(request -> request.method().equals("PURGE")));
    }

    @Test
    void aTagPurgeAndAPurgeOfEverythingWorkOverHttpAndClientsNeverSeeTheTags() throws Exception {
        startProxy(Map.of("adminToken", TOKEN, "adminPath", "/admin", "purgeMethod", "BAN"));
        HttpResponse<String> first = proxy.get("/a");
        proxy.get("/b");
        proxy.get("/c");

        HttpResponse<String> byTag = post("/admin/purge?tag=t1", "Authorization", "Bearer " + TOKEN);
        boolean cStillHit = proxy.get("/c").headers().firstValue("Cache-Status").orElseThrow().contains("hit");
        HttpResponse<String> all = post("/admin/purge-all", "Authorization", "Bearer " + TOKEN);

        assertFalse(first.headers().firstValue("Surrogate-Key").isPresent());
        assertEquals("{\"purged\":\"tag t1\",\"entries\":2}\n", byTag.body());
        assertTrue(cStillHit);
        assertEquals("{\"purged\":\"all\",\"entries\":1}\n", all.body());
        for (String path : new String[] {"/a", "/b", "/c"}) {
            assertTrue(proxy.get(path).headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"), path);
        }
        assertEquals(405, proxy.get("/admin/purge-all", "Authorization", "Bearer " + TOKEN).statusCode());
        assertEquals(404, proxy.get("/admin/nothing", "Authorization", "Bearer " + TOKEN).statusCode());
        assertEquals(400, post("/admin/purge", "Authorization", "Bearer " + TOKEN).statusCode());
    }

    @Test
    void statisticsAreJsonForHoldersOfTheToken() throws Exception {
        startProxy(Map.of("adminToken", TOKEN));
        proxy.get("/page");
        proxy.get("/page");

        HttpResponse<String> stats = proxy.get("/_cacheproxy/stats", "Authorization", "Bearer " + TOKEN);

        assertEquals(200, stats.statusCode());
        assertEquals("application/json", stats.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(stats.body().startsWith("{\"requests\":2,\"hits\":1,\"misses\":1,\"hitRatio\":0.5000,"), stats.body());
        assertTrue(stats.body().contains("\"store\":{\"entries\":1,"), stats.body());
        assertTrue(stats.body().contains("\"backends\":[{\"pool\":\"127.0.0.1:" + URI.create(origin.url()).getPort()
                + "\",\"backend\":\"" + origin.url() + "\",\"state\":\"healthy\",\"weight\":1,\"backup\":false,\"requests\":1,"
                + "\"failures\":0,\"active\":0,\"ejections\":0,\"latency\":{\"count\":1,"), stats.body());
    }

    @Test
    void anAddressNotOnTheAllowlistIsForbiddenEvenWithTheToken() throws Exception {
        startProxy(Map.of("adminToken", TOKEN, "adminAllow", "10.0.0.0/8, ::2"));
        proxy.get("/page");

        HttpResponse<String> forbidden = purge("/page", "Authorization", "Bearer " + TOKEN);

        assertEquals(403, forbidden.statusCode());
        assertTrue(proxy.get("/page").headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
    }

    @Test
    void anAddressOnTheAllowlistMayPurge() throws Exception {
        startProxy(Map.of("adminToken", TOKEN, "adminAllow", "10.0.0.0/8 127.0.0.0/8"));
        proxy.get("/page");

        assertEquals(200, purge("/page", "Authorization", "Bearer " + TOKEN).statusCode());
        assertTrue(proxy.get("/page").headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
    }

    @Test
    void withoutATokenThePurgeMethodAndTheAdminPathGoToTheOriginLikeAnyRequest() throws Exception {
        startProxy(Map.of());
        proxy.get("/page");

        HttpResponse<String> purge = purge("/page", "Authorization", "Bearer " + TOKEN);
        HttpResponse<String> stats = proxy.get("/_cacheproxy/stats");

        assertEquals("PURGE", origin.received().get(1).method());
        assertEquals(200, purge.statusCode(), "the origin's answer");
        assertEquals(404, stats.statusCode(), "the origin's answer");
        assertEquals("/_cacheproxy/stats", origin.lastReceived().pathAndQuery());
    }

    @Test
    void aPurgeCarriesTheHeaderOfAKeyDimensionAndRemovesOnlyThatTenantsResponses() throws Exception {
        CachingEngine tenants = CachingEngine.builder().store(EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build())
                .clock(clock).cacheKeys(CacheKeys.targetUri().withHeader("X-Tenant")).build();
        proxy = new ProxyUnderTest(java.net.URI.create(origin.url()), tenants, new HashMap<>(Map.of("adminToken", TOKEN)));
        proxy.get("/other", "X-Tenant", "acme");
        proxy.get("/other", "X-Tenant", "globex");

        HttpResponse<String> purged = purge("/other", "Authorization", "Bearer " + TOKEN, "X-Tenant", "acme");

        assertEquals(200, purged.statusCode());
        assertTrue(purged.body().contains("\"entries\":1"), purged.body());
        assertFalse(proxy.get("/other", "X-Tenant", "acme").headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertTrue(proxy.get("/other", "X-Tenant", "globex").headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        tenants.close();
    }

    private void startProxy(Map<String, String> initParameters) throws Exception {
        proxy = new ProxyUnderTest(java.net.URI.create(origin.url()), engine, new HashMap<>(initParameters));
    }

    private int originPort() {
        return java.net.URI.create(origin.url()).getPort();
    }

    private HttpResponse<String> purge(String path, String... headers) throws Exception {
        return proxy.send(proxy.request(path, headers).method("PURGE", HttpRequest.BodyPublishers.noBody()).build());
    }

    private HttpResponse<String> post(String path, String... headers) throws Exception {
        return proxy.send(proxy.request(path, headers).POST(HttpRequest.BodyPublishers.noBody()).build());
    }
}
