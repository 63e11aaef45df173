package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.RequestNormalizer;
import dev.cacheproxy.core.CacheKeys;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.RequestNormalizers;
import dev.cacheproxy.core.RouteRules;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's recipes, each run here exactly as the README shows it (a test below checks that the
 * README's code blocks are these), through a real origin, the caching proxy servlet and a real client.
 */
final class ReadmeRecipesTest {

    private static final Pattern RECIPE = Pattern.compile("// recipe: ([a-z-]+)\\n(.*?)\\n\\s*// end recipe", Pattern.DOTALL);

    private final ManualClock clock = ManualClock.atSystemTime();
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    private final AtomicInteger served = new AtomicInteger();
    private final String[][] replyLines = {{"Cache-Control", "max-age=60"}};
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

    @Test
    void ignoreMarketingParameters() throws Exception {
        // recipe: ignore-marketing-parameters
        CacheKeys keys = CacheKeys.targetUri()
                .ignoreQueryParameters("utm_*", "gclid", "fbclid")
                .sortQueryParameters();
        // end recipe
        start(CachingEngine.builder().cacheKeys(keys));

        get("/page?id=1&utm_source=news&utm_medium=mail");
        HttpResponse<String> hit = get("/page?fbclid=7&id=1");

        assertTrue(isHit(hit));
        assertEquals("/page?id=1&utm_source=news&utm_medium=mail", origin.lastReceived().pathAndQuery());
    }

    @Test
    void aTenantHeaderInTheKey() throws Exception {
        // recipe: tenant-header-in-key
        CacheKeys keys = CacheKeys.targetUri().withHeader("X-Tenant");
        // end recipe
        start(CachingEngine.builder().cacheKeys(keys));

        get("/page", "X-Tenant", "acme");
        HttpResponse<String> otherTenant = get("/page", "X-Tenant", "globex");
        HttpResponse<String> sameTenant = get("/page", "X-Tenant", "acme");

        assertFalse(isHit(otherTenant));
        assertTrue(isHit(sameTenant));
    }

    @Test
    void aLanguageCookieInTheKey() throws Exception {
        // recipe: cookie-in-key
        CacheKeys keys = CacheKeys.targetUri().withCookie("lang");
        // end recipe
        replyLines[0] = new String[] {"Cache-Control", "public, max-age=60"}; // as the recipe's text says
        start(CachingEngine.builder().cacheKeys(keys));

        get("/page", "Cookie", "lang=fr; _ga=1");
        HttpResponse<String> german = get("/page", "Cookie", "lang=de");
        HttpResponse<String> french = get("/page", "Cookie", "_gid=2; lang=fr");

        assertFalse(isHit(german));
        assertTrue(isHit(french));
    }

    @Test
    void aTtlWhenTheOriginSaysNothing() throws Exception {
        // recipe: cache-valid
        RouteRules routes = RouteRules.builder()
                .glob("/api/products/**", route -> route.ttlWhenOriginSilent(Duration.ofSeconds(30)))
                .build();
        // end recipe
        replyLines[0] = new String[0];
        start(CachingEngine.builder().routes(routes));

        get("/api/products/7");
        clock.advance(Duration.ofSeconds(29));
        HttpResponse<String> hit = get("/api/products/7");
        clock.advance(Duration.ofSeconds(2));
        get("/api/products/7");

        assertTrue(isHit(hit));
        assertEquals(2, served.get());
    }

    @Test
    void neverCacheAPath() throws Exception {
        // recipe: pass
        RouteRules routes = RouteRules.builder()
                .prefix("/api/cart/", route -> route.neverCache())
                .build();
        // end recipe
        start(CachingEngine.builder().routes(routes));

        get("/api/cart/items");
        HttpResponse<String> second = get("/api/cart/items");

        assertEquals(2, served.get());
        assertTrue(cacheStatus(second).contains("fwd=bypass"), cacheStatus(second));
    }

    @Test
    void aTtlThatOverridesTheOrigin() throws Exception {
        // recipe: beresp-ttl
        RouteRules routes = RouteRules.builder()
                .glob("/static/**", route -> route.ttlOverride(Duration.ofDays(1)).ignoreResponseFields("Set-Cookie"))
                .build();
        // end recipe
        replyLines[0] = new String[] {"Cache-Control", "max-age=10", "Set-Cookie", "visitor=1"};
        start(CachingEngine.builder().routes(routes));

        get("/static/site.css");
        clock.advance(Duration.ofHours(23));
        HttpResponse<String> hit = get("/static/site.css");

        assertTrue(isHit(hit));
        assertTrue(hit.headers().firstValue("Set-Cookie").isEmpty());
    }

    @Test
    void serveStaleWhileRevalidatingAndOnErrors() throws Exception {
        // recipe: grace
        RouteRules routes = RouteRules.builder()
                .prefix("/", route -> route.staleWhileRevalidate(Duration.ofSeconds(30)).staleIfError(Duration.ofMinutes(10)))
                .build();
        // end recipe
        replyLines[0] = new String[] {"Cache-Control", "max-age=1"};
        start(CachingEngine.builder().routes(routes));

        HttpResponse<String> first = get("/page");
        clock.advance(Duration.ofSeconds(10));
        HttpResponse<String> whileRevalidating = get("/page");

        assertEquals(first.body(), whileRevalidating.body());
        assertTrue(cacheStatus(whileRevalidating).contains("stale-while-revalidate"), cacheStatus(whileRevalidating));
    }

    @Test
    void bypassForLoggedInUsersAndPreviews() throws Exception {
        // recipe: bypass
        RouteRules routes = RouteRules.builder()
                .prefix("/", route -> route.bypassWhenCookie("session").bypassWhenHeader("X-Preview"))
                .build();
        // end recipe
        start(CachingEngine.builder().routes(routes));

        get("/page");
        HttpResponse<String> loggedIn = get("/page", "Cookie", "session=abc");
        HttpResponse<String> preview = get("/page", "X-Preview", "draft");
        HttpResponse<String> anonymous = get("/page");

        assertTrue(cacheStatus(loggedIn).contains("fwd=bypass"));
        assertTrue(cacheStatus(preview).contains("fwd=bypass"));
        assertTrue(isHit(anonymous));
        assertEquals(3, served.get());
    }

    @Test
    void normaliseRequestsBeforeLookup() throws Exception {
        // recipe: normalise
        RequestNormalizer normalizer = RequestNormalizers.acceptEncoding("br", "gzip")
                .andThen(RequestNormalizers.removeCookies("_ga*", "_gid"));
        // end recipe
        replyLines[0] = new String[] {"Cache-Control", "max-age=60", "Vary", "Accept-Encoding, Cookie"};
        start(CachingEngine.builder().normalizeRequests(normalizer));

        get("/page", "Accept-Encoding", "gzip, deflate, br", "Cookie", "_ga=GA1.1; _gid=7");
        HttpResponse<String> hit = get("/page", "Accept-Encoding", "br, gzip", "Cookie", "_ga=GA1.2");

        assertTrue(isHit(hit), cacheStatus(hit));
        assertEquals("br", origin.lastReceived().headers().get("Accept-Encoding"));
        assertEquals(null, origin.lastReceived().headers().get("Cookie"));
    }

    @Test
    void rememberMissesForLessTime() throws Exception {
        // recipe: hit-for-miss
        CachingEngine.Builder builder = CachingEngine.builder().rememberMissesFor(Duration.ofSeconds(30));
        // end recipe
        replyLines[0] = new String[] {"Cache-Control", "private"};
        start(builder);

        HttpResponse<String> first = get("/page");
        HttpResponse<String> second = get("/page");
        clock.advance(Duration.ofSeconds(31));
        HttpResponse<String> later = get("/page");

        assertFalse(cacheStatus(first).contains("remembered miss"));
        assertTrue(cacheStatus(second).contains("remembered miss (private)"), cacheStatus(second));
        assertFalse(cacheStatus(later).contains("remembered miss"), cacheStatus(later));
    }

    @Test
    void noCollapsingForPerUserPages() throws Exception {
        // recipe: no-lock
        RouteRules routes = RouteRules.builder()
                .prefix("/account/", route -> route.doNotCollapse())
                .build();
        // end recipe
        CachingEngine engine = CachingEngine.builder().store(store).clock(clock).routes(routes).build();
        dev.cacheproxy.api.RequestHead account = new dev.cacheproxy.api.RequestHead("GET",
                URI.create("http://origin.test/account/orders"), dev.cacheproxy.api.HeaderFields.empty());

        engine.onClientRequest(account);

        assertTrue(engine.onClientRequest(account) instanceof dev.cacheproxy.api.ExchangePlan.ToOrigin,
                "the second request goes at once instead of waiting");
    }

    @Test
    void theReadmeShowsEachRecipeExactlyAsThisTestRunsIt() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/cacheproxy/jetty/ReadmeRecipesTest.java"));
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        Matcher recipes = RECIPE.matcher(source);
        while (recipes.find()) {
            names.add(recipes.group(1));
            String code = recipes.group(2).stripIndent().strip();
            assertTrue(readme.contains("```java\n" + code + "\n```"), "the README shows recipe " + recipes.group(1) + " as\n" + code);
        }
        assertEquals(11, names.size(), "every recipe is checked: " + names);
    }

    private void start(CachingEngine.Builder engine) throws Exception {
        origin = new TestOrigin();
        for (String path : List.of("/page", "/api/products/7", "/api/cart/items", "/static/site.css")) {
            origin.route(path, request -> Reply.of(200, "#" + served.incrementAndGet(), replyLines[0]));
        }
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine.store(store).clock(clock).build());
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return proxy.get(path, headers);
    }

    private static String cacheStatus(HttpResponse<String> response) {
        return response.headers().firstValue("Cache-Status").orElse("");
    }

    private static boolean isHit(HttpResponse<String> response) {
        return cacheStatus(response).contains("; hit");
    }
}
