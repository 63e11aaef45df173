package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.JCacheStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two caching proxies, each embedding its own member of a two-member Hazelcast cluster and storing
 * through {@link JCacheStore} into one distributed cache: what one proxy stores, the other serves;
 * what one invalidates, the other no longer serves; and one member leaving fails no request on the other.
 */
final class SharedCacheProxiesTest {

    private final AtomicInteger version = new AtomicInteger(1);
    private HazelcastMembers cluster;
    private TestOrigin origin;
    private ProxyUnderTest proxyA;
    private ProxyUnderTest proxyB;

    @BeforeEach
    void startOriginClusterAndProxies() throws Exception {
        origin = new TestOrigin()
                .route("/page", request -> request.method().equals("POST")
                        ? Reply.of(204, "")
                        : Reply.of(200, "page v" + version.get(), "Cache-Control", "public, max-age=600", "Content-Type", "text/plain"))
                .route("/other", Reply.of(200, "other", "Cache-Control", "public, max-age=600"));
        cluster = new HazelcastMembers(2);
        proxyA = proxyOnMember(0);
        proxyB = proxyOnMember(1);
    }

    @AfterEach
    void stopEverything() {
        for (AutoCloseable running : new AutoCloseable[] {proxyA, proxyB, origin, cluster}) {
            try {
                if (running != null) {
                    running.close();
                }
            } catch (Exception stopFailure) {
                // Keep stopping the rest.
            }
        }
    }

    @Test
    void aResponseStoredThroughOneProxyIsAHitThroughTheOther() throws Exception {
        HttpResponse<String> miss = proxyA.get("/page");
        HttpResponse<String> hit = proxyB.get("/page");

        assertEquals("page v1", miss.body());
        assertEquals("page v1", hit.body());
        assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().startsWith("cacheproxy; hit"),
                hit.headers().firstValue("Cache-Status").orElseThrow());
        assertEquals(1, origin.requestCount());
    }

    @Test
    void anInvalidationThroughOneProxyIsSeenByTheOther() throws Exception {
        proxyA.get("/page");
        assertEquals("page v1", proxyB.get("/page").body());

        HttpResponse<String> posted = proxyA.send(proxyA.request("/page").POST(HttpRequest.BodyPublishers.ofString("edit")).build());
        version.set(2);
        HttpResponse<String> afterEdit = proxyB.get("/page");

        assertEquals(204, posted.statusCode());
        assertEquals("page v2", afterEdit.body());
        assertTrue(afterEdit.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
    }

    @Test
    void aMemberLeavingFailsNoRequestOnTheOther() throws Exception {
        proxyA.get("/page");
        proxyA.get("/other");

        cluster.crash(0);

        for (String path : new String[] {"/page", "/other", "/page"}) {
            HttpResponse<String> response = proxyB.get(path);
            assertEquals(200, response.statusCode(), path);
            assertEquals(path.equals("/page") ? "page v1" : "other", response.body(), path);
        }
        // The backup copies on the member that stayed serve what the member that left held.
        assertEquals(2, origin.requestCount());
    }

    private ProxyUnderTest proxyOnMember(int member) throws Exception {
        Cache<String, byte[]> shared = cluster.sharedCache(member);
        return new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(JCacheStore.using(shared).build()).build());
    }
}
