package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.PathRewrite;
import dev.cacheproxy.api.RequestHead;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Which route a request takes and what its backend is asked for. */
final class RoutesTest {

    private final BackendPool web = BackendPool.builder("web").backend(URI.create("http://10.0.0.1")).build();
    private final BackendPool api = BackendPool.builder("api").backend(URI.create("http://10.0.0.2")).build();
    private final BackendPool images = BackendPool.builder("images").backend(URI.create("http://10.0.0.3/static")).build();
    private final BackendPool tenant = BackendPool.builder("tenant").backend(URI.create("http://10.0.0.4")).build();

    private final Routes routes = Routes.of(
            Route.all(web),
            Route.prefix("/api/", api).stripped(),
            Route.prefix("/img", images),
            Route.prefix("/api", tenant).stripped().forHost("Tenant.Example"));

    private String where(String host, String path, String query) {
        return routes.match(host, path, query)
                .map(match -> match.pool().name() + " " + match.backendPathQuery()).orElse("none");
    }

    @Test
    void theLongestMatchingPrefixWinsAndAHostRouteBeforeAnyHost() {
        assertEquals("web /", where("proxy", "/", null));
        assertEquals("web /apix", where("proxy", "/apix", null), "a prefix matches whole path segments only");
        assertEquals("api /users?id=1", where("proxy", "/api/users", "id=1"));
        assertEquals("api /", where("proxy", "/api", null), "the prefix itself, stripped, asks for /");
        assertEquals("images /static/img/a.png", where("proxy", "/img/a.png", null), "kept prefix, after the pool's path");
        assertEquals("tenant /users", where("tenant.example:8443", "/api/users", null), "host without port, any case");
        assertEquals("api /users", where(null, "/api/users", null), "no host: only routes for any host");
    }

    @Test
    void dotSegmentsAndEncodedUnreservedCharactersCannotLeadOutOfARoute() {
        assertEquals("web /secret", where("proxy", "/api/../secret", null), "not the api route, and not /../secret on its backend");
        assertEquals("web /secret", where("proxy", "/img/../../secret", null));
        assertEquals("images /static/img/a.png", where("proxy", "/api/./../img/a.png", null));
        assertEquals("api /users?x=1", where("proxy", "/%61pi/users", "x=1"), "an encoded 'a' is an 'a'");
        assertEquals("web /api%2Fusers", where("proxy", "/api%2Fusers", null), "an encoded slash is not a separator");
    }

    @Test
    void routesMatchThePathWithoutItsSemicolonParametersAsServletContainersReadItAndBackendsGetTheParameters() {
        assertEquals("api /users;v=1", where("proxy", "/api;jsessionid=7/users;v=1", null),
                "the /api route, stripped with its parameter; the rest sent as it came");
        assertEquals("api /", where("proxy", "/api;x", null));
        assertEquals("images /static/img;x/a.png", where("proxy", "/img;x/a.png", null), "a kept prefix keeps its parameter");
        assertEquals("web /a;b=c/d", where("proxy", "/a;b=c/d", null));
    }

    @Test
    void aDotSegmentWithSemicolonParametersIsRefusedBeforeAnyRouteIsChosen() {
        for (String path : new String[] {"/img/..;/api/users", "/img/..;x=1/secret", "/img/.;/../secret", "/img/%2e%2E;/secret",
                "/img/.;"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> routes.match("proxy", path, null), path);
            assertTrue(refused.getMessage().contains("dot-segment"), refused.getMessage());
        }
        assertEquals("images /static/img/..x;y/a", where("proxy", "/img/..x;y/a", null), "only a whole dot-segment is one");
    }

    @Test
    void theClientAuthorityIsOneFormForARequestAndForAPurgeURL() {
        assertEquals("shop.example", KeyTargets.clientAuthority("https", "Shop.Example", 443));
        assertEquals("shop.example", KeyTargets.clientAuthority("http", "shop.example", 80));
        assertEquals("shop.example", KeyTargets.clientAuthority("https", "shop.example", -1));
        assertEquals("shop.example:443", KeyTargets.clientAuthority("http", "shop.example", 443), "443 is not http's default");
        assertEquals("[::1]:8080", KeyTargets.clientAuthority("http", "::1", 8080));
    }

    @Test
    void theEngineSeesThePoolsKeyOriginAndThePathTheClientAskedForWithTheRoutesRewrite() {
        KeyTargets targets = new KeyTargets(false);
        RequestHead api = targets.request(routes.match("p", "/api/users", "a=1").orElseThrow(), "GET", HeaderFields.empty(), "http", "p", 80);
        assertEquals(URI.create("http://10.0.0.2/api/users?a=1"), api.uri(), "the prefix is stripped toward the backend, not in the URI");
        assertEquals(new PathRewrite("/api", ""), api.pathRewrite(), "the stripping is in the key");
        RequestHead page = targets.request(routes.match("p", "/users", null).orElseThrow(), "GET", HeaderFields.empty(), "http", "p", 80);
        assertEquals(URI.create("http://10.0.0.1/users"), page.uri());
        assertEquals(PathRewrite.NONE, page.pathRewrite());
        RequestHead image = targets.request(routes.match("p", "/img/a.png", null).orElseThrow(), "GET", HeaderFields.empty(), "http", "p", 80);
        assertEquals(URI.create("http://10.0.0.3/img/a.png"), image.uri(), "the pool's path is not in the URI rules see");
        assertEquals(new PathRewrite("", "/static"), image.pathRewrite());
        assertEquals(URI.create("http://10.0.0.3"), images.keyOrigin());
    }

    @Test
    void aPoolsBackendsShareOnePathAndItsKeyOriginHasNone() {
        BackendPool.Builder mixed = BackendPool.builder("mixed").backend(URI.create("http://10.0.0.1/v2"));
        assertThrows(IllegalArgumentException.class, () -> mixed.backend(URI.create("http://10.0.0.2/v1")));
        assertEquals("/v2", mixed.backend(URI.create("http://10.0.0.2/v2/")).build().path());
        assertThrows(IllegalArgumentException.class, () -> BackendPool.builder("k").keyOrigin(URI.create("http://cache/v2")));
    }

    @Test
    void aRequestNoRouteMatchesHasNone() {
        Routes apiOnly = Routes.of(Route.prefix("/api", api));
        assertTrue(apiOnly.match("p", "/other", null).isEmpty());
    }

    @Test
    void badRoutesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Route.prefix("api", api));
        assertThrows(IllegalArgumentException.class, () -> Route.prefix("/api?x", api));
        assertThrows(IllegalArgumentException.class, () -> Routes.of(Route.prefix("/api", api), Route.prefix("/api/", web)));
        assertThrows(IllegalArgumentException.class, () -> Routes.of());
    }
}
