package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals("images /img/a.png", where("proxy", "/img/a.png", null), "kept prefix");
        assertEquals("tenant /users", where("tenant.example:8443", "/api/users", null), "host without port, any case");
        assertEquals("api /users", where(null, "/api/users", null), "no host: only routes for any host");
    }

    @Test
    void theKeyIsThePoolsKeyOriginAndThePathTheClientAskedFor() {
        KeyTargets targets = new KeyTargets();
        assertEquals(URI.create("http://10.0.0.2/api/users?a=1"), targets.keyUri(routes.match("p", "/api/users", "a=1").orElseThrow()),
                "the prefix is stripped toward the backend, not in the key");
        assertEquals(URI.create("http://10.0.0.1/users"), targets.keyUri(routes.match("p", "/users", null).orElseThrow()));
        assertEquals(URI.create("http://10.0.0.3/static/img/a.png"), targets.keyUri(routes.match("p", "/img/a.png", null).orElseThrow()));
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
