package dev.cacheproxy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How a route's path rewrite maps client paths to origin paths and back, and how it enters the cache key. */
final class PathRewriteTest {

    @ParameterizedTest(name = "{0} -> {1}: {2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            # client prefix | origin prefix | client path   | origin path    | back to the client
            /shop           | /store        | /shop/item    | /store/item    | /shop/item
            /shop           | /store        | /shop         | /store         | /shop
            /shop/          | /store/       | /shop/        | /store/        | /shop/
            /shop           | ''            | /shop/item    | /item          | /shop/item
            /shop           | ''            | /shop         | /              | /shop/
            ''              | /v2           | /item         | /v2/item       | /item
            ''              | /v2           | /             | /v2/           | /
            /v2             | /v2           | /v2/item      | /v2/item       | /v2/item
            """)
    void aClientPathUnderThePrefixMapsToTheOriginsAndBack(String clientPrefix, String originPrefix, String clientPath,
                                                          String originPath, String backToTheClient) {
        PathRewrite rewrite = new PathRewrite(clientPrefix, originPrefix);
        assertEquals(originPath, rewrite.originPath(clientPath));
        assertEquals(Optional.of(backToTheClient), rewrite.clientPath(originPath));
    }

    @Test
    void anOriginPathOutsideTheOriginPrefixHasNoClientPath() {
        PathRewrite rewrite = new PathRewrite("/shop", "/store");
        assertEquals(Optional.empty(), rewrite.clientPath("/other/item"));
        assertEquals(Optional.empty(), rewrite.clientPath("/storefront"));
        assertEquals(Optional.empty(), new PathRewrite("", "/v2").clientPath("/v1/item"));
    }

    @Test
    void aPathOutsideTheClientPrefixIsRefused() {
        assertTrue(!new PathRewrite("/shop", "/store").covers("/shopping"));
        assertThrows(IllegalArgumentException.class, () -> new PathRewrite("/shop", "/store").originPath("/shopping"));
    }

    @Test
    void equalPrefixesAreNoRewriteAndBadPrefixesAreRefused() {
        assertEquals(PathRewrite.NONE, new PathRewrite("/v2/", "/v2"));
        assertTrue(new PathRewrite("/", "").isNone());
        assertThrows(IllegalArgumentException.class, () -> new PathRewrite("shop", ""));
        assertThrows(IllegalArgumentException.class, () -> new PathRewrite("/a b", ""));
        assertThrows(IllegalArgumentException.class, () -> new PathRewrite("", "/v2?x"));
    }

    @Test
    void theRewriteIsTheKeysLastPartAndNoDimensionCanImitateIt() {
        CacheKey key = CacheKey.of(URI.create("http://o/shop/item"));
        assertEquals("http://o/shop/item @/shop=/store", key.withPathRewrite(new PathRewrite("/shop", "/store")).value());
        assertEquals("http://o/item @=/v2", CacheKey.of(URI.create("http://o/item")).withPathRewrite(new PathRewrite("", "/v2")).value());
        assertEquals(key, key.withPathRewrite(PathRewrite.NONE), "no rewrite, the key as it was");
        assertEquals("http://o/a%20b/x @/a%2520b=/c%3Dd", CacheKey.of(URI.create("http://o/a%20b/x"))
                .withPathRewrite(new PathRewrite("/a%20b", "/c=d")).value(), "both prefixes percent-encoded: '=' only joins them");
        assertNotEquals(key.withPathRewrite(new PathRewrite("/shop", "")), key.withPathRewrite(new PathRewrite("", "/shop")));
        assertThrows(IllegalArgumentException.class, () -> key.withDimension("@/shop", Optional.of("/store")));
    }

    @Test
    void aRequestCarriesItsRewriteThroughItsCopies() {
        PathRewrite rewrite = new PathRewrite("/shop", "/store");
        RequestHead request = new RequestHead("POST", URI.create("http://o/shop/cart"), HeaderFields.empty(), Optional.empty(), rewrite);
        assertEquals(rewrite, request.withMethod("GET").pathRewrite());
        assertEquals(rewrite, request.withHeaders(HeaderFields.of("A", "1")).pathRewrite());
        assertEquals(rewrite, request.getOf(URI.create("http://o/shop/item")).pathRewrite());
        assertThrows(IllegalArgumentException.class, () -> request.getOf(URI.create("http://o/elsewhere")),
                "a URI outside the rewrite's prefix is not a request it can make");
    }
}
