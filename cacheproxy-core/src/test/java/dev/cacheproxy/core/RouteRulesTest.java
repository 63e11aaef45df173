package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

final class RouteRulesTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final RouteRules routes = RouteRules.builder()
            .prefix("/api/cart/", route -> route.neverCache())
            .glob("/api/*/items", route -> route.methods("GET").ttlOverride(Duration.ofSeconds(5)))
            .glob("/api/**", route -> route.ttlWhenOriginSilent(Duration.ofSeconds(30)))
            .build();

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "GET, /api/cart/x, /api/cart/",
        "GET, /api/%63art/x, /api/cart/",
        "GET, /api/./cart/x, /api/cart/",
        "GET, /api/shop/../cart/x, /api/cart/",
        "GET, /api/shop/items, /api/*/items",
        "POST, /api/shop/items, /api/**",
        "GET, /api, /api/**",
        "GET, /apis, none",
        "GET, /api%2Fcart/x, none",
        "GET, /public/%2e%2e/api/cart/x, /api/cart/",
        "GET, /public/%2E%2E/api/cart/x, /api/cart/",
        "GET, /public/.%2e/api/cart/x, /api/cart/",
        "GET, /public/%2e./api/cart/x, /api/cart/",
        "GET, /api/%2e/cart/x, /api/cart/",
        "GET, /%2e%2e/%2e%2e/api/cart/x, /api/cart/",
        "GET, /../api/cart/x, /api/cart/",
        "GET, /public/%2e%2e%2fapi/cart/x, none",
    })
    void theFirstRouteWhosePatternAndMethodMatchTheNormalisedPathApplies(String method, String path, String expected) {
        RequestHead request = new RequestHead(method, URI.create("http://h" + path), HeaderFields.empty());
        assertEquals(expected, routes.routeFor(request).map(RouteRule::pattern).orElse("none"));
    }

    @Test
    void aNeverCachedRouteNeitherStoresNorLooksUp() {
        var policy = routes.over(Rfc9111Policy.sharedCache());
        RequestHead cart = new RequestHead("GET", URI.create("http://h/api/cart/1"), HeaderFields.empty());
        ResponseHead fresh = new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=60"));

        assertEquals(new Storability.DoNotStore("route /api/cart/: never cached"), policy.storability(cart, fresh, NOW));
        assertInstanceOf(Lookup.Forward.class, policy.lookup(cart, List.of(), NOW));
    }

    @Test
    void aTtlOverrideReplacesTheOriginsLifetimeButNotItsRefusal() {
        var policy = routes.over(Rfc9111Policy.sharedCache());
        RequestHead items = new RequestHead("GET", URI.create("http://h/api/shop/items"), HeaderFields.empty());

        Storability overridden = policy.storability(items, new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=600")), NOW);
        Storability refused = policy.storability(items, new ResponseHead(200, HeaderFields.of("Cache-Control", "private")), NOW);

        assertEquals(Duration.ofSeconds(5), ((Storability.Store) overridden).freshnessLifetime());
        assertInstanceOf(Storability.DoNotStore.class, refused);
    }

    @Test
    void aSilentOriginGetsTheRoutesTtlAndAStatedLifetimeIsKept() {
        var policy = routes.over(Rfc9111Policy.sharedCache());
        RequestHead page = new RequestHead("GET", URI.create("http://h/api/page"), HeaderFields.empty());

        Storability silent = policy.storability(page, new ResponseHead(200, HeaderFields.empty()), NOW);
        Storability stated = policy.storability(page, new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=7")), NOW);

        assertEquals(Duration.ofSeconds(30), ((Storability.Store) silent).freshnessLifetime());
        assertEquals(Duration.ofSeconds(7), ((Storability.Store) stated).freshnessLifetime());
    }

    @Test
    void badRoutesAreRefusedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> RouteRules.builder().prefix("api/", route -> { }));
        assertThrows(IllegalArgumentException.class, () -> RouteRules.builder().prefix("/", route -> route.neverCache()
                .ttlOverride(Duration.ofSeconds(1))));
        assertThrows(IllegalArgumentException.class, () -> RouteRules.builder().prefix("/", route -> route.methods("G T")));
        assertThrows(IllegalArgumentException.class, () -> RouteRules.builder().prefix("/", route -> route.ttlOverride(Duration.ZERO)));
        assertEquals(Optional.empty(), RouteRules.none().routeFor(new RequestHead("GET", URI.create("http://h/"), HeaderFields.empty())));
    }
}
