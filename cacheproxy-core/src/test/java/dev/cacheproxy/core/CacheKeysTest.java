package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class CacheKeysTest {

    private static RequestHead get(String uri, String... fields) {
        return new RequestHead("GET", URI.create(uri), HeaderFields.of(fields));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "http://Example.COM:80/a?utm_source=x&id=1&utm_medium=y | http://example.com/a?id=1",
        "http://example.com/a?utm_source=x                      | http://example.com/a",
        "http://example.com/a?id=1&gclid=abc&id=2               | http://example.com/a?id=1&id=2",
        "http://example.com/a?%75tm_source=x&id=1               | http://example.com/a?id=1",
    })
    void ignoredParametersAndPatternsLeaveTheKey(String uri, String key) {
        assertEquals(key, CacheKeys.targetUri().ignoreQueryParameters("utm_*", "gclid").keyFor(get(uri)).value());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "http://h/a?callback=ok&utm_content=1;callback=evil | http://h/a?callback=ok&utm_content=1;callback=evil",
        "http://h/a?callback=ok&utm_content=1%3Bx&utm_x=;   | http://h/a?callback=ok&utm_x=;",
        "http://h/a?utm;x=1&utm_source=y                    | http://h/a?utm;x=1",
    })
    void aParameterCarryingASemicolonIsNeverLeftOutOfTheKeyForItMayHideAnotherParameter(String uri, String key) {
        assertEquals(key, CacheKeys.targetUri().ignoreQueryParameters("utm*").keyFor(get(uri)).value());
    }

    @Test
    void aKeyedCookieOrHeaderSentTwiceWithDifferentValuesHasNoKey() {
        CacheKeys keys = CacheKeys.targetUri().withCookie("lang").withHeader("X-Tenant");

        CacheKeyFunction.NoKey cookie = assertThrows(CacheKeyFunction.NoKey.class,
                () -> keys.keyFor(get("http://h/a", "Cookie", "lang=en; lang=fr")));
        CacheKeyFunction.NoKey cookieLines = assertThrows(CacheKeyFunction.NoKey.class,
                () -> keys.keyFor(get("http://h/a", "Cookie", "lang=en", "Cookie", "lang=fr")));
        CacheKeyFunction.NoKey header = assertThrows(CacheKeyFunction.NoKey.class,
                () -> keys.keyFor(get("http://h/a", "X-Tenant", "acme", "X-Tenant", "evil")));

        assertEquals("cookie lang sent more than once with different values", cookie.getMessage());
        assertEquals(cookie.getMessage(), cookieLines.getMessage());
        assertEquals("header X-Tenant sent more than once with different values", header.getMessage());
        assertEquals("http://h/a cookie:lang=en header:x-tenant=acme",
                keys.keyFor(get("http://h/a", "Cookie", "lang=en; other=1; lang=en", "X-Tenant", "acme", "X-Tenant", "acme")).value());
    }

    @Test
    void anAllowListKeepsAParameterCarryingASemicolonItDidNotName() {
        assertEquals("http://h/a?id=3&x=1;id=4", CacheKeys.targetUri().keepOnlyQueryParameters("id")
                .keyFor(get("http://h/a?id=3&x=1;id=4&y=2")).value());
    }

    @Test
    void eachPieceChangesOnlyTheKeysUriAsItSays() {
        assertEquals("http://h/a?id=3", CacheKeys.targetUri().keepOnlyQueryParameters("id").keyFor(get("http://h/a?x=1&id=3&y")).value());
        assertEquals("http://h/a?a=1&a=2&b=0", CacheKeys.targetUri().sortQueryParameters().keyFor(get("http://h/a?b=0&a=2&a=1")).value());
        assertEquals("http://h/a", CacheKeys.targetUri().dropQuery().keyFor(get("http://h/a?b=0")).value());
        assertEquals("http://h/a/b%c3%a9?Q=1", CacheKeys.targetUri().lowerCasePath().keyFor(get("http://h/A/B%C3%A9?Q=1")).value());
        assertEquals("http://h/a?Q=1", CacheKeys.targetUri().keyFor(get("http://H/a?Q=1")).value());
    }

    @Test
    void headerAndCookieDimensionsFollowTheUriPercentEncoded() {
        CacheKeys keys = CacheKeys.targetUri().withHeader("X-Tenant").withCookie("plan");

        assertEquals("http://h/a header:x-tenant=acme%20co cookie:plan=gold",
                keys.keyFor(get("http://h/a", "X-Tenant", "acme co", "Cookie", "sid=1; plan=gold")).value());
        assertEquals("http://h/a header:x-tenant cookie:plan", keys.keyFor(get("http://h/a")).value());
        assertEquals("http://h/a header:x-tenant= cookie:plan", keys.keyFor(get("http://h/a", "X-Tenant", "")).value());
    }

    @Test
    void noHeaderValueCanForgeAnotherRequestsKey() {
        CacheKeys keys = CacheKeys.targetUri().withHeader("A").withHeader("B");
        // Without encoding, A="x B=y" with no B would read like A="x" and B="y".
        CacheKey forged = keys.keyFor(get("http://h/a", "A", "x header:b=y"));
        CacheKey honest = keys.keyFor(get("http://h/a", "A", "x", "B", "y"));
        assertNotEquals(honest, forged);
        // Nor can a path that spells a dimension: a URI has no space, and %20 stays encoded.
        assertNotEquals(keys.keyFor(get("http://h/a%20header:a=x")), keys.keyFor(get("http://h/a", "A", "x")));
    }

    @Test
    void aDimensionComputedInCodeJoinsTheKey() {
        CacheKeys keys = CacheKeys.targetUri().withDimension("device",
                request -> Optional.of(request.headers().first("User-Agent").orElse("").contains("Mobile") ? "mobile" : "desktop"));
        assertEquals("http://h/ device=mobile", keys.keyFor(get("http://h/", "User-Agent", "X Mobile")).value());
    }

    @Test
    void aKeyFunctionWhoseKeyCarriesTheEnginesPathRewriteMarkerIsRefusedAndTheRequestBypassesTheCache() {
        // It could pose as the entry of a route that rewrites /shop to /store.
        try (CachingEngine engine = CachingEngine.builder()
                .cacheKeys(request -> new CacheKey(CacheKey.of(request.uri()).value() + " @/shop=/store")).build()) {
            ExchangePlan.OnClientRequest plan = engine.onClientRequest(get("http://o/item"));
            ExchangePlan.ToOrigin forwarded = assertInstanceOf(ExchangePlan.ToOrigin.class, plan);
            String status = forwarded.cacheStatus().toHeaderValue();
            assertTrue(status.contains("fwd=bypass") && status.contains("cache key function failed"), status);
            assertThrows(IllegalStateException.class, () -> engine.purge(URI.create("http://o/item")), "a purge names the fault too");
        }
    }

    @Test
    void badNamesAreRefusedWhenTheFunctionIsBuilt() {
        assertThrows(IllegalArgumentException.class, () -> CacheKeys.targetUri().withDimension("a b", request -> Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> CacheKeys.targetUri().withDimension("a=b", request -> Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> CacheKeys.targetUri().withCookie("a;b"));
        assertThrows(IllegalArgumentException.class, () -> CacheKeys.targetUri().withHeader("X Tenant"));
        assertThrows(IllegalArgumentException.class, () -> CacheKeys.targetUri().ignoreQueryParameters());
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
        "/api/**, /api, true", "/api/**, /api/, true", "/api/**, /api/a/b, true", "/api/**, /apis, false",
        "/api/*/items, /api/7/items, true", "/api/*/items, /api/7/8/items, false", "/*.css, /a.css, true",
        "/*.css, /d/a.css, false", "/**/*.css, /d/a.css, true", "/a?c, /abc, true", "/a?c, /a/c, false",
    })
    void pathGlobsMatchAsDocumented(String glob, String path, boolean matches) {
        assertEquals(matches, Globs.pathGlob(glob).test(path));
    }
}
