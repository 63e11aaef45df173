package dev.cacheproxy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.RequestNormalizer;
import dev.cacheproxy.core.RequestNormalizers;
import dev.cacheproxy.core.RouteRules;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One scenario per route rule and request normalizer, written once against {@link Harness} and run by
 * each integration's test (the proxy servlet and the filter) through a real origin and a real client.
 */
public final class RouteCases {

    private RouteCases() {
    }

    /** What a scenario drives: a cache in front of an origin, a client, and the cache's clock. */
    public interface Harness {
        /**
         * Sets how the origin answers from now on, for every path: status and header lines. Its body is
         * {@code #n ae=<Accept-Encoding> cookie=<Cookie> debug=<X-Debug>}, n counting the requests it got.
         */
        void originAnswers(int status, String... headerLines);

        /** A GET through the cache. */
        Answer get(String path, String... headerLines) throws Exception;

        /** How many requests reached the origin. */
        int originRequests();

        /** What tells whether requests reached the origin at the same time. */
        OriginRendezvous rendezvous();

        /** GETs sent at the same moment from as many threads, their answers in order. */
        List<Answer> getTogether(int count, String path) throws Exception;

        /** The cache's clock. */
        ManualClock clock();
    }

    /** What the client got. */
    public record Answer(int status, String body, String cacheStatus, Map<String, List<String>> headers) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .flatMap(entry -> entry.getValue().stream()).findFirst();
        }
    }

    /** A scenario's steps and assertions. */
    @FunctionalInterface
    public interface Scenario {
        void run(Harness cache) throws Exception;
    }

    /** A named scenario with the routes and normalizer the cache under test is built with. */
    public record Case(String name, RouteRules routes, RequestNormalizer normalizer, Scenario scenario) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The paths the origin answers; a harness routes each of them to its origin. */
    public static final List<String> PATHS = List.of("/api/cart/items", "/api/products/7", "/static/site.css", "/page");

    public static Stream<Case> cases() {
        return cases("");
    }

    /** The scenarios for a cache whose request paths start with this prefix (a filter mapped to {@code /prefix/*}). */
    public static Stream<Case> cases(String p) {
        return Stream.of(
                new Case("a TTL applies when the origin states no freshness",
                        RouteRules.builder().glob(p + "/api/products/**", route -> route.ttlWhenOriginSilent(Duration.ofSeconds(30))).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200);
                            Answer miss = cache.get("/api/products/7");
                            cache.clock().advance(Duration.ofSeconds(20));
                            Answer hit = cache.get("/api/products/7");
                            cache.clock().advance(Duration.ofSeconds(11));
                            Answer expired = cache.get("/api/products/7");
                            assertEquals(miss.body(), hit.body(), miss.cacheStatus() + " then " + hit.cacheStatus());
                            assertTrue(hit.cacheStatus().contains("hit"), hit.cacheStatus());
                            assertEquals(2, cache.originRequests(), "the third went to the origin: " + expired.cacheStatus());
                        }),
                new Case("a TTL for silent origins leaves a stated freshness alone",
                        RouteRules.builder().glob(p + "/api/products/**", route -> route.ttlWhenOriginSilent(Duration.ofSeconds(60))).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=5");
                            cache.get("/api/products/7");
                            cache.clock().advance(Duration.ofSeconds(10));
                            cache.get("/api/products/7");
                            assertEquals(2, cache.originRequests());
                        }),
                new Case("a TTL override outlasts the origin's max-age",
                        RouteRules.builder().prefix(p + "/static/", route -> route.ttlOverride(Duration.ofSeconds(60))).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=5");
                            Answer miss = cache.get("/static/site.css");
                            cache.clock().advance(Duration.ofSeconds(50));
                            Answer hit = cache.get("/static/site.css");
                            assertEquals(miss.body(), hit.body());
                            assertEquals(1, cache.originRequests());
                            assertEquals(Optional.of("max-age=5"), hit.header("Cache-Control"), "clients still see the origin's field");
                        }),
                new Case("a never-cached route always goes to the origin",
                        RouteRules.builder().prefix(p + "/api/cart/", route -> route.neverCache()).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60");
                            cache.get("/api/cart/items");
                            Answer second = cache.get("/api/cart/items");
                            assertEquals(2, cache.originRequests());
                            assertTrue(second.cacheStatus().contains("fwd=bypass"), second.cacheStatus());
                            cache.get("/page");
                            assertTrue(cache.get("/page").cacheStatus().contains("hit"), "other paths are cached as usual");
                        }),
                new Case("an ignored Set-Cookie lets a response be shared, without its cookie",
                        RouteRules.builder().prefix(p + "/static/", route -> route.ignoreResponseFields("Set-Cookie")).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60", "Set-Cookie", "visitor=42");
                            Answer miss = cache.get("/static/site.css");
                            Answer hit = cache.get("/static/site.css");
                            assertEquals(Optional.of("visitor=42"), miss.header("Set-Cookie"), "the client it was set for gets it");
                            assertTrue(hit.cacheStatus().contains("hit"), hit.cacheStatus());
                            assertEquals(Optional.empty(), hit.header("Set-Cookie"), "nobody else does");
                            cache.get("/page");
                            assertFalse(cache.get("/page").cacheStatus().contains("hit"), "elsewhere Set-Cookie still prevents sharing");
                        }),
                new Case("an ignored Cache-Control lets the route's TTL decide",
                        RouteRules.builder().prefix(p + "/static/", route -> route.ignoreResponseFields("Cache-Control", "Expires")
                                .ttlWhenOriginSilent(Duration.ofSeconds(30))).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "no-cache, max-age=0");
                            cache.get("/static/site.css");
                            Answer hit = cache.get("/static/site.css");
                            assertTrue(hit.cacheStatus().contains("hit"), hit.cacheStatus());
                            assertEquals(1, cache.originRequests());
                        }),
                new Case("an ignored Vary shares one response between variants",
                        RouteRules.builder().prefix(p + "/static/", route -> route.ignoreResponseFields("Vary")).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60", "Vary", "X-Variant");
                            cache.get("/static/site.css", "X-Variant", "a");
                            Answer other = cache.get("/static/site.css", "X-Variant", "b");
                            assertTrue(other.cacheStatus().contains("hit"), other.cacheStatus());
                        }),
                new Case("a default stale-while-revalidate serves a stale response at once, or revalidates it through the filter",
                        RouteRules.builder().prefix(p + "/page", route -> route.staleWhileRevalidate(Duration.ofSeconds(60))).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=1");
                            Answer miss = cache.get("/page");
                            cache.clock().advance(Duration.ofSeconds(10));
                            Answer stale = cache.get("/page");
                            assertTrue(stale.cacheStatus().contains("stale-while-revalidate"), stale.cacheStatus());
                            if (stale.cacheStatus().contains("hit")) {
                                assertEquals(miss.body(), stale.body()); // the proxy: at once, refreshed behind it
                            } else {
                                // The filter cannot run the application without a client: it revalidates in the foreground.
                                assertTrue(stale.cacheStatus().contains("fwd=stale"), stale.cacheStatus());
                            }
                        }),
                new Case("a default stale-if-error answers an origin error with the stored response",
                        RouteRules.builder().prefix(p + "/page", route -> route.staleIfError(Duration.ofSeconds(600))).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=1");
                            Answer miss = cache.get("/page");
                            cache.originAnswers(503, "Cache-Control", "no-store");
                            cache.clock().advance(Duration.ofSeconds(10));
                            Answer stale = cache.get("/page");
                            assertEquals(200, stale.status());
                            assertEquals(miss.body(), stale.body());
                            assertTrue(stale.cacheStatus().contains("stale-if-error"), stale.cacheStatus());
                        }),
                new Case("without a route, an origin error is passed on",
                        RouteRules.none(), RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=1");
                            cache.get("/page");
                            cache.originAnswers(503, "Cache-Control", "no-store");
                            cache.clock().advance(Duration.ofSeconds(10));
                            assertEquals(503, cache.get("/page").status());
                        }),
                new Case("a bypass header goes to the origin and changes nothing stored",
                        RouteRules.builder().prefix(p + "/", route -> route.bypassWhenHeader("X-Preview")).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60");
                            Answer stored = cache.get("/page");
                            Answer preview = cache.get("/page", "X-Preview", "1");
                            Answer afterPreview = cache.get("/page");
                            assertTrue(preview.cacheStatus().contains("fwd=bypass"), preview.cacheStatus());
                            assertEquals(2, cache.originRequests());
                            assertEquals(stored.body(), afterPreview.body(), "others still get the stored response");
                            cache.get("/api/products/7", "X-Preview", "1");
                            assertFalse(cache.get("/api/products/7").cacheStatus().contains("hit"),
                                    "a bypassed response was not stored");
                        }),
                new Case("a bypass cookie goes to the origin",
                        RouteRules.builder().prefix(p + "/", route -> route.bypassWhenCookie("session")).build(),
                        RequestNormalizer.NONE, cache -> {
                            // public: a response to a request with a cookie is shared only when it says so.
                            cache.originAnswers(200, "Cache-Control", "public, max-age=60");
                            cache.get("/page", "Cookie", "theme=dark");
                            Answer anonymous = cache.get("/page", "Cookie", "theme=dark");
                            Answer loggedIn = cache.get("/page", "Cookie", "theme=dark; session=abc");
                            assertTrue(anonymous.cacheStatus().contains("hit"), anonymous.cacheStatus());
                            assertTrue(loggedIn.cacheStatus().contains("fwd=bypass"), loggedIn.cacheStatus());
                            assertEquals(2, cache.originRequests());
                        }),
                new Case("a route for other methods leaves GET alone",
                        RouteRules.builder().prefix(p + "/", route -> route.methods("POST").neverCache()).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60");
                            cache.get("/page");
                            assertTrue(cache.get("/page").cacheStatus().contains("hit"));
                        }),
                new Case("requests on a route without collapsing reach the origin together",
                        RouteRules.builder().prefix(p + "/page", route -> route.doNotCollapse()).build(),
                        RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60");
                            cache.rendezvous().expect(2, Duration.ofSeconds(10));
                            cache.getTogether(2, "/page");
                            assertTrue(cache.rendezvous().met(), "both were at the origin at once");
                            assertEquals(2, cache.originRequests());
                        }),
                new Case("elsewhere concurrent misses wait for one request to the origin",
                        RouteRules.none(), RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60");
                            cache.rendezvous().expect(2, Duration.ofSeconds(1));
                            List<Answer> answers = cache.getTogether(2, "/page");
                            assertFalse(cache.rendezvous().met());
                            assertEquals(1, cache.originRequests());
                            assertEquals(answers.get(0).body(), answers.get(1).body());
                        }),
                new Case("after a response that was not storable, concurrent requests reach the origin together",
                        RouteRules.none(), RequestNormalizer.NONE, cache -> {
                            cache.originAnswers(200, "Cache-Control", "private");
                            Answer first = cache.get("/page");
                            cache.rendezvous().expect(2, Duration.ofSeconds(10));
                            List<Answer> together = cache.getTogether(2, "/page");
                            assertTrue(cache.rendezvous().met(), "a remembered miss: nobody waited");
                            assertFalse(first.cacheStatus().contains("remembered miss"), first.cacheStatus());
                            assertTrue(together.get(0).cacheStatus().contains("remembered miss (private)"), together.get(0).cacheStatus());
                            assertEquals(3, cache.originRequests());
                        }),
                new Case("Accept-Encoding is normalised before lookup and forwarding",
                        RouteRules.none(), RequestNormalizers.acceptEncoding("br", "gzip"), cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60", "Vary", "Accept-Encoding");
                            Answer chrome = cache.get("/page", "Accept-Encoding", "gzip, deflate, br, zstd");
                            Answer firefox = cache.get("/page", "Accept-Encoding", "br;q=1.0, gzip;q=0.8");
                            Answer old = cache.get("/page", "Accept-Encoding", "gzip");
                            Answer none = cache.get("/page", "Accept-Encoding", "identity");
                            assertTrue(chrome.body().contains("ae=br "), chrome.body());
                            assertTrue(firefox.cacheStatus().contains("hit"), firefox.cacheStatus());
                            assertTrue(old.body().contains("ae=gzip "), old.body());
                            assertTrue(none.body().contains("ae=- "), none.body());
                            assertEquals(3, cache.originRequests());
                        }),
                new Case("normalizers remove fields and cookies before they reach the origin",
                        RouteRules.none(), RequestNormalizers.removeFields("X-Debug").andThen(RequestNormalizers.keepOnlyCookies("session")),
                        cache -> {
                            cache.originAnswers(200, "Cache-Control", "max-age=60");
                            Answer answer = cache.get("/page", "X-Debug", "on", "Cookie", "_ga=GA1.2; session=abc; _gid=7");
                            assertTrue(answer.body().endsWith("cookie=session=abc debug=-"), answer.body());
                        }));
    }
}
