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
import dev.cacheproxy.testing.CacheKeyCases;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
            origin.route(path, request -> Reply.of(200, "for " + request.pathAndQuery(), "Cache-Control", "public, max-age=60"));
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
    void aParameterHiddenBehindASemicolonReachesAnOriginThatSplitsOnItAndSoStaysInTheKey() throws Exception {
        // Like Rack 2 or older Python: ';' separates parameters too, and the last value of a name wins.
        origin = new TestOrigin().route("/jsonp", request -> {
            String callback = "none";
            String query = request.pathAndQuery().substring(request.pathAndQuery().indexOf('?') + 1);
            for (String parameter : query.split("[&;]")) {
                if (parameter.startsWith("callback=")) {
                    callback = parameter.substring("callback=".length());
                }
            }
            return Reply.of(200, callback + "({})", "Cache-Control", "max-age=60");
        });
        CacheKeys keys = CacheKeys.targetUri().ignoreQueryParameters("utm_*");
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).cacheKeys(keys).build());

        HttpResponse<String> cloaked = proxy.get("/jsonp?callback=ok&utm_content=1;callback=evil");
        awaitStored(keys.keyFor(new RequestHead("GET", URI.create(origin.url() + "/jsonp?callback=ok&utm_content=1;callback=evil"),
                HeaderFields.empty())));
        HttpResponse<String> honest = proxy.get("/jsonp?callback=ok");
        HttpResponse<String> tagged = proxy.get("/jsonp?callback=ok&utm_source=news");

        assertEquals("evil({})", cloaked.body(), "the origin read the hidden parameter");
        assertEquals("ok({})", honest.body(), "not the response to the cloaked request");
        assertEquals("ok({})", tagged.body());
        assertTrue(tagged.headers().firstValue("Cache-Status").orElseThrow().contains("hit"), "a plain tag is still ignored");
        assertEquals(2, origin.requestCount());
    }

    @Test
    void aKeyedCookieSentTwiceWithDifferentValuesNeitherReadsNorWritesTheCache() throws Exception {
        // Like Django: of repeated cookies, the last wins.
        origin = new TestOrigin().route("/greeting", request -> {
            String lang = "none";
            for (String pair : String.valueOf(request.headers().get("Cookie")).split(";")) {
                if (pair.strip().startsWith("lang=")) {
                    lang = pair.strip().substring("lang=".length());
                }
            }
            return Reply.of(200, "greeting in " + lang, "Cache-Control", "public, max-age=60");
        });
        CacheKeys keys = CacheKeys.targetUri().withCookie("lang");
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).cacheKeys(keys).build());
        proxy.get("/greeting", "Cookie", "lang=en");
        awaitStored(keys.keyFor(new RequestHead("GET", URI.create(origin.url() + "/greeting"), HeaderFields.of("Cookie", "lang=en"))));

        HttpResponse<String> ambiguous = proxy.get("/greeting", "Cookie", "lang=en; lang=fr");
        HttpResponse<String> english = proxy.get("/greeting", "Cookie", "lang=en");
        HttpResponse<String> repeatedAlike = proxy.get("/greeting", "Cookie", "lang=en; lang=en");

        assertEquals("greeting in fr", ambiguous.body(), "not the English response: the origin reads the last");
        String status = ambiguous.headers().firstValue("Cache-Status").orElseThrow();
        assertTrue(status.contains("fwd=bypass") && status.contains("cookie lang sent more than once with different values"), status);
        assertEquals("greeting in en", english.body(), "the French response was not stored for English users");
        assertTrue(english.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertTrue(repeatedAlike.headers().firstValue("Cache-Status").orElseThrow().contains("hit"), "one value, sent twice, has a key");
        assertEquals(2, origin.requestCount());
    }

    private void awaitStored(CacheKey key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.variants(key).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the response was stored under " + key.value());
            Thread.onSpinWait();
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
