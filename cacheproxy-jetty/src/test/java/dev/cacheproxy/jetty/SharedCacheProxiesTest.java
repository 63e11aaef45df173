package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.api.TaggedStore;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.JCacheStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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

    private static final String TOKEN = "shared-admin-token";

    private final AtomicInteger version = new AtomicInteger(1);
    private final Semaphore writesOnA = new Semaphore(0);
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
                .route("/other", Reply.of(200, "other", "Cache-Control", "public, max-age=600", "Surrogate-Key", "others"));
        cluster = new HazelcastMembers(2);
        proxyA = proxyOnMember(0, writesOnA);
        proxyB = proxyOnMember(1, new Semaphore(0));
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
    void purgesThroughOneProxyAreSeenByTheOther() throws Exception {
        proxyA.get("/page");
        proxyA.get("/other");
        assertTrue(proxyB.get("/page").headers().firstValue("Cache-Status").orElseThrow().contains("hit"));

        HttpResponse<String> byUrl = proxyA.send(proxyA.request("/page", "Authorization", "Bearer " + TOKEN)
                .method("PURGE", HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> byTag = proxyB.send(proxyB.request("/_cacheproxy/purge?tag=others", "Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        version.set(2);

        assertEquals(200, byUrl.statusCode());
        assertEquals("{\"purged\":\"tag others\",\"entries\":1}\n", byTag.body());
        HttpResponse<String> page = proxyB.get("/page");
        assertEquals("page v2", page.body());
        assertTrue(page.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
        assertTrue(proxyA.get("/other").headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
    }

    @Test
    void aMemberLeavingFailsNoRequestOnTheOther() throws Exception {
        proxyA.get("/page");
        proxyA.get("/other");
        // A proxy stores a body once it has relayed all of it: the client can have it a moment before the store does.
        assertTrue(writesOnA.tryAcquire(2, 10, TimeUnit.SECONDS), "both responses stored");

        cluster.crash(0);

        for (String path : new String[] {"/page", "/other", "/page"}) {
            HttpResponse<String> response = proxyB.get(path);
            assertEquals(200, response.statusCode(), path);
            assertEquals(path.equals("/page") ? "page v1" : "other", response.body(), path);
        }
        // The backup copies on the member that stayed serve what the member that left held.
        assertEquals(2, origin.requestCount());
    }

    private ProxyUnderTest proxyOnMember(int member, Semaphore writes) throws Exception {
        Cache<String, byte[]> shared = cluster.sharedCache(member);
        CacheStore store = new WritesSignalled(JCacheStore.using(shared).build(), writes);
        return new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).build(), Map.of("adminToken", TOKEN));
    }

    /** The shared store, releasing a permit for each write that has landed. */
    private static final class WritesSignalled implements TaggedStore {
        private final JCacheStore store;
        private final Semaphore writes;

        WritesSignalled(JCacheStore store, Semaphore writes) {
            this.store = store;
            this.writes = writes;
        }

        @Override
        public List<StoredResponse> variants(CacheKey key) {
            return store.variants(key);
        }

        @Override
        public void store(CacheKey key, StoredResponse response) {
            store.store(key, response);
            writes.release();
        }

        @Override
        public void remove(CacheKey key) {
            store.remove(key);
        }

        @Override
        public long removeTagged(String tag) {
            return store.removeTagged(tag);
        }

        @Override
        public void clear() {
            store.clear();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
