package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.RouteRules;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Routes that send one client path to different backend paths never share a stored response, while route
 * rules, {@code Cache-Status}, purges and invalidations see the path the client asked for. One real
 * backend on 127.0.0.1 answers every path with its own name, cacheable, so a key shared by two backend
 * resources shows as the wrong body.
 */
final class RouteCacheKeysTest {

    private static final String TOKEN = "s3cret-token-0123";

    @AutoClose
    private final TestOrigin origin = new TestOrigin();
    @AutoClose
    private CachingEngine engine = CachingEngine.builder().build();
    @AutoClose
    private ProxyUnderTest proxy;
    /** Jetty's client, which sends the Host it is given (the JDK's will not). */
    private final HttpClient client = new HttpClient();

    RouteCacheKeysTest() throws Exception {
        client.start();
    }

    @AfterEach
    void stopClient() throws Exception {
        client.stop();
    }

    private void answerWithTheirPaths(String... paths) {
        for (String path : paths) {
            origin.route(path, TestOrigin.Reply.of(200, "backend " + path, "Cache-Control", "max-age=60"));
        }
    }

    private BackendPool pool(String name, String path) {
        return BackendPool.builder(name).backend(URI.create(origin.url() + path)).build();
    }

    private void start(Routes routes, Map<String, String> initParameters, ProxyUnderTest.FrontEnd frontEnd) throws Exception {
        proxy = new ProxyUnderTest(new CachingProxyServlet(routes, engine), new HashMap<>(initParameters), frontEnd);
    }

    private ContentResponse send(String method, String host, String pathAndQuery, String... headers) throws Exception {
        var request = client.newRequest("http://127.0.0.1:" + proxy.port() + pathAndQuery).method(method)
                .headers(fields -> fields.put("Host", host)).timeout(10, TimeUnit.SECONDS);
        for (int i = 0; i < headers.length; i += 2) {
            String name = headers[i];
            String value = headers[i + 1];
            request.headers(fields -> fields.put(name, value));
        }
        return request.send();
    }

    /** Waits until what a GET of this client URL stored is in the store: it is written once the body has ended, which the client may see first. */
    private void awaitStored(String clientUrl) {
        var key = engine.keyFor(proxy.servlet().purgeRequest(URI.create(clientUrl)).orElseThrow());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.store().variants(key).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, clientUrl + " was stored");
            Thread.onSpinWait();
        }
    }

    private String body(String host, String pathAndQuery) throws Exception {
        ContentResponse response = send("GET", host, pathAndQuery);
        assertEquals(200, response.getStatus(), response.getContentAsString());
        return response.getContentAsString();
    }

    @Test
    void aHostRouteAndAStrippedRouteToOnePoolKeepTheirBackendPathsApart() throws Exception {
        answerWithTheirPaths("/x", "/app/x");
        BackendPool site = pool("site", "");
        start(Routes.of(Route.all(site).forHost("a.example"), Route.prefix("/app", site).stripped()), Map.of(),
                ProxyUnderTest.FrontEnd.CACHING_HANDLER);

        assertEquals("backend /x", body("b.example", "/app/x"), "any host: the stripped route");
        assertEquals("backend /app/x", body("a.example", "/app/x"), "a.example's route keeps the prefix: another backend resource");
        assertEquals("backend /x", body("b.example", "/app/x"));
        assertEquals("backend /app/x", body("a.example", "/app/x"));
        assertEquals(2, origin.requestCount(), "each stored once, each answered from its own entry");
    }

    @Test
    void aStrippedRouteToAPoolWithAPathNeverSharesWithTheRouteThatReachesTheSamePathUnstripped() throws Exception {
        answerWithTheirPaths("/store/shop/item", "/store/item");
        start(Routes.of(Route.all(pool("web", "")), Route.prefix("/shop", pool("shop", "/store")).stripped()), Map.of(),
                ProxyUnderTest.FrontEnd.SERVLET);

        assertEquals("backend /store/shop/item", body("p", "/store/shop/item"));
        assertEquals("backend /store/item", body("p", "/shop/item"), "same client path and key origin as the first, another resource");
        assertEquals("backend /store/shop/item", body("p", "/store/shop/item"));
        assertEquals("backend /store/item", body("p", "/shop/item"));
        assertEquals(2, origin.requestCount());
    }

    @Test
    void behindAPoolWhosURLHasAPathRouteRulesAndCacheStatusSeeTheClientsPath() throws Exception {
        answerWithTheirPaths("/v2/private/a", "/v2/public");
        engine.close();
        engine = CachingEngine.builder().showKeyInCacheStatus(true)
                .routes(RouteRules.builder().prefix("/private/", route -> route.neverCache()).build()).build();
        start(Routes.to(pool("v2", "/v2")), Map.of(), ProxyUnderTest.FrontEnd.CACHING_HANDLER);

        assertEquals("backend /v2/private/a", body("p", "/private/a"));
        assertEquals("backend /v2/private/a", body("p", "/private/a"));
        assertEquals(2, origin.requestCount(), "the rule for /private/ applies to what the client asked for");
        body("p", "/public");
        ContentResponse hit = send("GET", "p", "/public");
        assertEquals(3, origin.requestCount());
        String cacheStatus = hit.getHeaders().get("Cache-Status");
        assertTrue(cacheStatus.contains("hit") && cacheStatus.contains("key=\"http://127.0.0.1:" + origin.port() + "/public @=/v2\""),
                cacheStatus);
    }

    @Test
    void aPurgeOfTheURLClientsUseRemovesAStrippedRoutesResponseAndNothingElse() throws Exception {
        answerWithTheirPaths("/store/shop/item", "/store/item");
        start(Routes.of(Route.all(pool("web", "")), Route.prefix("/shop", pool("shop", "/store")).stripped()),
                Map.of("adminToken", TOKEN), ProxyUnderTest.FrontEnd.CACHING_HANDLER);
        body("p", "/shop/item");
        body("p", "/store/shop/item");
        assertEquals(2, origin.requestCount());

        ContentResponse purged = send("PURGE", "p", "/shop/item", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, purged.getStatus(), purged.getContentAsString());
        assertTrue(purged.getContentAsString().contains("\"entries\":1"), purged.getContentAsString());

        assertEquals("backend /store/item", body("p", "/shop/item"));
        assertEquals(3, origin.requestCount(), "the purged response is fetched again");
        body("p", "/store/shop/item");
        assertEquals(3, origin.requestCount(), "the other route's response stays");

        assertEquals(1, engine.purge(proxy.servlet().purgeRequest(URI.create("http://p/shop/item")).orElseThrow()).entries().getAsLong(),
                "in code, the same URL purges the same response");
        body("p", "/shop/item");
        assertEquals(4, origin.requestCount());
    }

    @Test
    void anUnsafeRequestThroughAStrippedRouteInvalidatesTheClientURLsItsBackendsLocationNames() throws Exception {
        answerWithTheirPaths("/store/item/7");
        origin.route("/store/cart", TestOrigin.Reply.of(201, "added", "Location", "/store/item/7"));
        start(Routes.of(Route.prefix("/shop", pool("shop", "/store")).stripped()), Map.of(), ProxyUnderTest.FrontEnd.SERVLET);
        body("p", "/shop/item/7");
        body("p", "/shop/item/7");
        assertEquals(1, origin.requestCount());

        assertEquals(201, send(HttpMethod.POST.asString(), "p", "/shop/cart").getStatus());
        assertEquals("/store/cart", origin.lastReceived().pathAndQuery());

        assertEquals("backend /store/item/7", body("p", "/shop/item/7"));
        assertEquals(3, origin.requestCount(), "the backend's Location /store/item/7 is the client's /shop/item/7: invalidated");
    }

    @Test
    void aPurgeOfTheURLClientsUseRemovesWhatASingleOriginWithAPathStored() throws Exception {
        answerWithTheirPaths("/v2/x");
        proxy = new ProxyUnderTest(new CachingProxyServlet(URI.create(origin.url() + "/v2"), engine), new HashMap<>(Map.of("adminToken", TOKEN)),
                ProxyUnderTest.FrontEnd.CACHING_HANDLER);
        assertEquals("backend /v2/x", body("p", "/x"));
        awaitStored("http://p/x");
        assertEquals(0, engine.purge(URI.create("http://p/x")).entries().getAsLong(), "the engine alone cannot know the route");

        assertEquals(1, proxy.servlet().purge(URI.create("http://p/x")).entries().getAsLong());
        assertEquals("backend /v2/x", body("p", "/x"));
        assertEquals(2, origin.requestCount(), "fetched again after the purge");
        awaitStored("http://p/x");

        ContentResponse purged = send("PURGE", "p", "/x", "Authorization", "Bearer " + TOKEN);
        assertTrue(purged.getContentAsString().contains("\"entries\":1"), purged.getContentAsString());
        body("p", "/x");
        assertEquals(3, origin.requestCount());
    }

    @Test
    void aPurgeOfTheURLClientsUseRemovesWhatAPoolWhoseBackendsHaveAPathStoredForEachRoute() throws Exception {
        answerWithTheirPaths("/v2/x", "/v2/shop/x", "/v2/api/x");
        start(Routes.of(Route.all(pool("v2", "/v2")), Route.prefix("/shop", pool("v2", "/v2")).stripped(),
                Route.prefix("/api", pool("v2", "/v2"))), Map.of(), ProxyUnderTest.FrontEnd.SERVLET);
        for (String path : new String[] {"/x", "/shop/x", "/api/x"}) {
            body("p", path);
            awaitStored("http://p" + path);
        }
        assertEquals(3, origin.requestCount());
        for (String path : new String[] {"/x", "/shop/x", "/api/x"}) {
            assertEquals(1, proxy.servlet().purge(URI.create("http://p" + path)).entries().getAsLong(), path);
        }
        body("p", "/shop/x");
        assertEquals(4, origin.requestCount());
    }

    @Test
    void aDotSegmentWithParametersIsRefusedWithA400AndReachesNoBackend() throws Exception {
        answerWithTheirPaths("/store/x", "/x");
        start(Routes.of(Route.prefix("/shop", pool("shop", "/store")).stripped()), Map.of(), ProxyUnderTest.FrontEnd.CACHING_HANDLER);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.port())) {
            socket.getOutputStream().write("GET /shop/..;/x HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 400"), response);
        }
        assertEquals("backend /store/x", body("p", "/shop;jsessionid=1/x"), "a parameter on the prefix still takes the route");
        assertEquals(1, origin.requestCount(), "only the last reached a backend");
    }

    @Test
    void withPreserveHostTheClientsHostIsPartOfTheKey() throws Exception {
        origin.route("/home", request -> TestOrigin.Reply.of(200, "home of " + request.headers().get("Host"), "Cache-Control", "max-age=60"));
        start(Routes.to(pool("sites", "")), Map.of("preserveHost", "true"), ProxyUnderTest.FrontEnd.CACHING_HANDLER);

        assertEquals("home of a.example", body("a.example", "/home"));
        assertEquals("home of b.example", body("b.example", "/home"), "the backend answers by Host: not a.example's answer");
        assertEquals("home of a.example", body("a.example", "/home"));
        assertEquals(2, origin.requestCount(), "each host's answer stored once");
    }

    @Test
    void aDotSegmentCannotTakeAStrippedRouteOutsideItsBackendPath() throws Exception {
        answerWithTheirPaths("/secret", "/store/secret");
        start(Routes.of(Route.prefix("/shop", pool("shop", "/store")).stripped()), Map.of(), ProxyUnderTest.FrontEnd.SERVLET);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.port())) {
            socket.getOutputStream().write("GET /shop/../secret HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 404"), response);
        }
        assertEquals(0, origin.requestCount(), "/secret is under no route: no backend is asked for it");
    }

    @Test
    void requestsThatNameDifferentBackendResourcesAreNeverCollapsedOntoOneAnother() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch stripped = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch kept = new java.util.concurrent.CountDownLatch(1);
        for (String path : java.util.List.of("/x", "/app/x")) {
            java.util.concurrent.CountDownLatch arrived = path.equals("/x") ? stripped : kept;
            origin.route(path, request -> {
                arrived.countDown();
                release.await(10, TimeUnit.SECONDS);
                return TestOrigin.Reply.of(200, "backend " + path, "Cache-Control", "max-age=60");
            });
        }
        BackendPool site = pool("site", "");
        start(Routes.of(Route.all(site).forHost("a.example"), Route.prefix("/app", site).stripped()), Map.of(),
                ProxyUnderTest.FrontEnd.SERVLET);

        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> bodyOrFailure("b.example", "/app/x"));
        assertTrue(stripped.await(10, TimeUnit.SECONDS), "the first request reached its backend and waits there");
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> bodyOrFailure("a.example", "/app/x"));
        assertTrue(kept.await(10, TimeUnit.SECONDS), "the second is not collapsed onto the first: it reaches its own backend resource");
        release.countDown();
        assertEquals("backend /x", first.get(10, TimeUnit.SECONDS));
        assertEquals("backend /app/x", second.get(10, TimeUnit.SECONDS));
    }

    private String bodyOrFailure(String host, String pathAndQuery) {
        try {
            return body(host, pathAndQuery);
        } catch (Exception failed) {
            return "failed: " + failed;
        }
    }
}
