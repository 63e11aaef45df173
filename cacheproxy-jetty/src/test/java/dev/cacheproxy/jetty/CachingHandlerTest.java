package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path: hits answered by {@link CachingHandler} in front of the servlet, the rest by the servlet. */
final class CachingHandlerTest {

    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    private final CountingEngine engine = new CountingEngine(CachingEngine.builder().store(store).build());
    @AutoClose
    private TestOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;


    @ParameterizedTest
    @EnumSource(value = ProxyUnderTest.FrontEnd.class, names = {"CACHING_HANDLER", "CACHING_HANDLER_IN_MEMORY"})
    void aHitIsAnsweredInFrontOfTheServletWithTheStoredHeadAndBody(ProxyUnderTest.FrontEnd frontEnd) throws Exception {
        origin = new TestOrigin().route("/page", Reply.of(200, "the page", "Cache-Control", "max-age=60",
                "Content-Type", "text/plain", "X-Two", "a", "X-Two", "b"));
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine, Map.of(), frontEnd);

        HttpResponse<String> miss = proxy.get("/page");
        awaitStored("/page");
        HttpResponse<String> hit = proxy.get("/page");

        assertEquals(1, origin.requestCount());
        assertEquals("the page", hit.body());
        assertEquals(miss.headers().allValues("X-Two"), hit.headers().allValues("X-Two"));
        assertEquals("text/plain", hit.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertEquals(1, hit.headers().allValues("Date").size(), "the stored Date, not a second one");
        assertEquals(1, proxy.servletRequests.get(), "only the miss reached the servlet: the hit took the fast path");
        assertEquals(2, engine.onClientRequests.get(), "one decision per request");
    }

    @ParameterizedTest
    @EnumSource(value = ProxyUnderTest.FrontEnd.class, names = {"CACHING_HANDLER", "CACHING_HANDLER_IN_MEMORY"})
    void aMissLooksTheStoreUpOnceAndIsCountedOnce(ProxyUnderTest.FrontEnd frontEnd) throws Exception {
        origin = new TestOrigin().route("/once", Reply.of(200, "once", "Cache-Control", "max-age=60"));
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine, Map.of(), frontEnd);

        HttpResponse<String> miss = proxy.get("/once");
        long missLookups = store.statistics().misses(); // before awaitStored, whose own look-ups count too
        awaitStored("/once");
        long lookupsBefore = store.statistics().hits() + store.statistics().misses();
        HttpResponse<String> hit = proxy.get("/once");

        assertEquals("once", miss.body());
        assertEquals("once", hit.body());
        assertEquals(2, engine.onClientRequests.get(), "one decision per request");
        assertEquals(1, missLookups, "the miss looked the store up once, in the handler");
        assertEquals(1, store.statistics().hits() + store.statistics().misses() - lookupsBefore, "the hit looked it up once");
        assertEquals(1, proxy.servletRequests.get(), "the servlet carried the miss out without a second decision");
        assertEquals(1, origin.requestCount());
    }

    @ParameterizedTest
    @EnumSource(value = ProxyUnderTest.FrontEnd.class, names = {"CACHING_HANDLER", "CACHING_HANDLER_IN_MEMORY"})
    void adminRequestsGoToTheServletWithoutAskingTheCache(ProxyUnderTest.FrontEnd frontEnd) throws Exception {
        origin = new TestOrigin().route("/page", Reply.of(200, "the page", "Cache-Control", "max-age=60"));
        CachingEngine purgeable = CachingEngine.builder().store(store).build();
        proxy = new ProxyUnderTest(URI.create(origin.url()), purgeable, Map.of("adminToken", "0123456789abcdef0123"), frontEnd);

        HttpResponse<String> stats = proxy.get("/_cacheproxy/stats", "Authorization", "Bearer 0123456789abcdef0123");

        assertEquals(200, stats.statusCode());
        assertTrue(stats.body().contains("\"requests\":0"), stats.body());
        assertEquals(0, purgeable.statistics().requests(), "the cache was not asked about an admin request");
        assertEquals(0, store.statistics().misses());
        assertEquals(0, origin.requestCount());
    }

    @ParameterizedTest
    @EnumSource(value = ProxyUnderTest.FrontEnd.class, names = {"CACHING_HANDLER", "CACHING_HANDLER_IN_MEMORY"})
    void aHeadAndAClientsConditionalRequestAreAnsweredOnTheFastPathToo(ProxyUnderTest.FrontEnd frontEnd) throws Exception {
        origin = new TestOrigin().route("/etag", Reply.of(200, "0123456789", "Cache-Control", "max-age=60", "ETag", "\"v1\""));
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine, Map.of(), frontEnd);
        proxy.get("/etag");
        awaitStored("/etag");

        HttpResponse<String> head = proxy.send(proxy.request("/etag").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> notModified = proxy.get("/etag", "If-None-Match", "\"v1\"");
        HttpResponse<String> range = proxy.get("/etag", "Range", "bytes=0-3");

        assertEquals("", head.body());
        assertEquals("10", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(304, notModified.statusCode());
        assertEquals(206, range.statusCode());
        assertEquals("0123", range.body());
        assertEquals(1, origin.requestCount());
        assertEquals(1, proxy.servletRequests.get(), "only the miss reached the servlet");
    }

    @ParameterizedTest
    @EnumSource(value = ProxyUnderTest.FrontEnd.class, names = {"CACHING_HANDLER", "CACHING_HANDLER_IN_MEMORY"})
    void anEncodedPathAndQueryMapToTheSameKeyAsInTheServlet(ProxyUnderTest.FrontEnd frontEnd) throws Exception {
        origin = new TestOrigin().route("/a%20b", request -> Reply.of(200, "query " + request.pathAndQuery(), "Cache-Control", "max-age=60"));
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine, Map.of(), frontEnd);

        HttpResponse<String> miss = proxy.get("/a%20b?x=%2F&y=1");
        awaitStored("/a%20b?x=%2F&y=1");
        HttpResponse<String> hit = proxy.get("/a%20b?x=%2F&y=1");

        assertEquals(miss.body(), hit.body());
        assertEquals(1, origin.requestCount());
        assertEquals(1, proxy.servletRequests.get(), "the hit took the fast path");
    }

    @ParameterizedTest
    @EnumSource(value = ProxyUnderTest.FrontEnd.class, names = {"CACHING_HANDLER", "CACHING_HANDLER_IN_MEMORY"})
    void concurrentMissesStillCollapseBehindTheFastPath(ProxyUnderTest.FrontEnd frontEnd) throws Exception {
        AtomicInteger served = new AtomicInteger();
        origin = new TestOrigin().route("/popular", request -> {
            served.incrementAndGet();
            return Reply.of(200, "popular", "Cache-Control", "max-age=60");
        });
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine, Map.of(), frontEnd);

        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pending.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return proxy.get("/popular");
                } catch (Exception failed) {
                    throw new IllegalStateException(failed);
                }
            }, command -> new Thread(command).start()));
        }
        for (CompletableFuture<HttpResponse<String>> response : pending) {
            assertEquals("popular", response.get(30, TimeUnit.SECONDS).body());
        }
        assertTrue(origin.requestCount() <= 20);
        assertEquals(served.get(), origin.requestCount());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void requestsOutsideTheServletsContextAreLeftAlone(boolean inMemory) throws Exception {
        origin = new TestOrigin().route("/page", Reply.of(200, "in the app", "Cache-Control", "max-age=60"));
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/app");
        CachingProxyServlet servlet = new CachingProxyServlet(URI.create(origin.url()), engine);
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        server.setHandler(inMemory ? CachingHandler.forInMemoryStore(context, servlet) : new CachingHandler(context, servlet));
        server.start();
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + connector.getLocalPort();
            HttpResponse<String> miss = client.send(HttpRequest.newBuilder(URI.create(base + "/app/page")).build(), HttpResponse.BodyHandlers.ofString());
            awaitStored("/page");
            HttpResponse<String> hit = client.send(HttpRequest.newBuilder(URI.create(base + "/app/page")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> outside = client.send(HttpRequest.newBuilder(URI.create(base + "/page")).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals("in the app", miss.body());
            assertEquals("in the app", hit.body());
            assertEquals(2, engine.onClientRequests.get(), "the request outside the context was not put to the cache");
            assertEquals(404, outside.statusCode());
            assertEquals(1, origin.requestCount());
        } finally {
            server.stop();
        }
    }

    /**
     * The store is written when the origin's body has ended, which Jetty may report just after the client
     * has the response; a request before that would wait for it in the servlet, not take the fast path.
     */
    private void awaitStored(String pathAndQuery) {
        CacheKey key = CacheKey.of(URI.create(origin.url() + pathAndQuery));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.variants(key).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the response to " + pathAndQuery + " was stored");
            Thread.onSpinWait();
        }
    }
}
