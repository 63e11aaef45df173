package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Concurrent misses for one URL through a real proxy on loopback: one origin request, or one each when not shareable. */
final class RequestCollapsingTest {

    private static final int CLIENTS = 100;

    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    @AutoClose
    private TestOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;


    @Test
    void aHundredConcurrentMissesForOneUrlSendOneRequestToTheOriginAndAllGetTheSameWholeResponse() throws Exception {
        String body = "x".repeat(50_000);
        CountingEngine engine = startWithSlowOrigin(Reply.of(200, body, "Cache-Control", "max-age=60"));

        List<HttpResponse<String>> responses = getConcurrently(engine);

        assertEquals(1, origin.requestCount());
        for (HttpResponse<String> response : responses) {
            assertEquals(200, response.statusCode());
            assertEquals(body, response.body());
        }
        long collapsed = responses.stream()
                .filter(response -> response.headers().firstValue("Cache-Status").orElseThrow().contains("collapsed")).count();
        assertEquals(CLIENTS - 1, collapsed, "every request but the leader was answered by way of the leader's");
    }

    @Test
    void aPrivateResponseIsNeverHandedToTheWaitersWhoEachGoToTheOrigin() throws Exception {
        AtomicInteger served = new AtomicInteger();
        CountingEngine engine = startWithSlowOrigin(request -> {
            int n = served.incrementAndGet();
            return Reply.of(200, "for user " + n, "Cache-Control", "private, max-age=60");
        });

        List<HttpResponse<String>> responses = getConcurrently(engine);

        assertEquals(CLIENTS, origin.requestCount());
        assertEquals(CLIENTS, responses.stream().map(HttpResponse::body).distinct().count(),
                "each client got its own response, none another's");
    }

    @Test
    void aResponseSettingACookieIsNotSharedThroughCollapsingEither() throws Exception {
        AtomicInteger served = new AtomicInteger();
        CountingEngine engine = startWithSlowOrigin(request -> Reply.of(200, "session " + served.incrementAndGet(),
                "Cache-Control", "max-age=60", "Set-Cookie", "session=" + served.get()));

        List<HttpResponse<String>> responses = getConcurrently(engine);

        assertEquals(CLIENTS, origin.requestCount());
        assertEquals(CLIENTS, responses.stream().map(HttpResponse::body).distinct().count());
    }

    private CountingEngine startWithSlowOrigin(Reply reply) throws Exception {
        return startWithSlowOrigin(request -> reply);
    }

    /** The origin holds the first request until every other client's request is waiting in the proxy. */
    private CountingEngine startWithSlowOrigin(TestOrigin.Route route) throws Exception {
        CountDownLatch othersWaiting = new CountDownLatch(CLIENTS - 1);
        CountingEngine engine = new CountingEngine(CachingEngine.builder().store(store).build(), othersWaiting);
        origin = new TestOrigin().route("/popular", request -> {
            assertTrue(othersWaiting.await(20, TimeUnit.SECONDS), "the other requests reached the proxy");
            return route.reply(request);
        });
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine);
        return engine;
    }

    private List<HttpResponse<String>> getConcurrently(CountingEngine engine) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            pending.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return proxy.get("/popular");
                } catch (Exception failed) {
                    throw new IllegalStateException(failed);
                }
            }, command -> new Thread(command).start()));
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> response : pending) {
            responses.add(response.get(60, TimeUnit.SECONDS));
        }
        assertEquals(CLIENTS - 1, engine.waits.get(), "all but one request waited for the first");
        return responses;
    }
}
