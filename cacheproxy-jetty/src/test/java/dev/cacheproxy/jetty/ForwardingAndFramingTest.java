package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.ClientForwarding;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Unkeyed forwarding fields (issue item 4) and faulty origin framing (item 7) through a real proxy on
 * loopback: what the origin saw, and what a second, innocent client then receives.
 */
final class ForwardingAndFramingTest {

    /** What an attacker sends to make the origin build links, redirects or routes for everyone. */
    private static final String[] POISON = {
        "X-Forwarded-Host", "evil.example", "X-Forwarded-For", "6.6.6.6", "X-Forwarded-Proto", "gopher",
        "X-Forwarded-Port", "6666", "X-Forwarded-Prefix", "/evil", "Forwarded", "for=6.6.6.6;host=evil.example",
        "X-Real-IP", "6.6.6.6", "X-Host", "evil.example", "X-Original-URL", "/admin", "X-Rewrite-URL", "/admin",
    };

    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    @AutoClose
    private TestOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;

    @Test
    void aClientsForwardingFieldsNeverReachTheOriginWhichGetsTheProxysOwnSoNobodyIsPoisoned() throws Exception {
        startOriginThatBuildsLinksFromForwardingFields();
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).build());

        HttpResponse<String> attacker = proxy.get("/home", POISON);
        HttpResponse<String> innocent = proxy.get("/home");

        String proxyAuthority = "127.0.0.1:" + proxy.port();
        assertEquals("http://" + proxyAuthority + "/login", attacker.body());
        assertEquals(attacker.body(), innocent.body(), "the innocent client gets the stored page");
        assertTrue(innocent.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        HttpFields seen = origin.lastReceived().headers();
        assertEquals("127.0.0.1", seen.get("X-Forwarded-For"));
        assertEquals("http", seen.get("X-Forwarded-Proto"));
        assertEquals(proxyAuthority, seen.get("X-Forwarded-Host"));
        assertEquals(1, seen.getValuesList("Forwarded").size(), seen.toString());
        assertTrue(isFor(seen.get("Forwarded"), "127.0.0.1"), seen.get("Forwarded"));
        assertFalse(seen.get("Forwarded").contains("evil") || seen.get("Forwarded").contains("6.6.6.6"), seen.get("Forwarded"));
        for (String stripped : List.of("X-Forwarded-Port", "X-Forwarded-Prefix", "X-Real-IP", "X-Host", "X-Original-URL", "X-Rewrite-URL")) {
            assertNull(seen.get(stripped), stripped);
        }
        assertEquals(1, origin.requestCount());
    }

    @Test
    void theClientsHostIsNotForwardedEitherButAConfiguredPublicHostIs() throws Exception {
        startOriginThatBuildsLinksFromForwardingFields();
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).build(),
                Map.of("forwardedHost", "www.example.com"));

        HttpResponse<String> attacker = proxy.send(proxy.request("/home").header("X-Forwarded-Host", "evil.example").GET().build());

        assertEquals("http://www.example.com/login", attacker.body());
        assertTrue(origin.lastReceived().headers().get("Forwarded").contains("www.example.com"),
                origin.lastReceived().headers().get("Forwarded"));
    }

    @Test
    void aTrustedProxysFieldsAreKeptAndAppendedTo() throws Exception {
        startOriginThatBuildsLinksFromForwardingFields();
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).build(),
                Map.of("trustedProxies", "127.0.0.0/8, ::1"));

        HttpResponse<String> viaLoadBalancer = proxy.get("/home", "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "shop.example.com", "Forwarded", "for=203.0.113.9;proto=https;host=shop.example.com");

        assertEquals("https://shop.example.com/login", viaLoadBalancer.body());
        HttpFields seen = origin.lastReceived().headers();
        assertEquals("203.0.113.9, 127.0.0.1", seen.get("X-Forwarded-For"));
        List<String> forwarded = seen.getCSV("Forwarded", false);
        assertEquals(2, forwarded.size(), forwarded.toString());
        assertTrue(isFor(forwarded.get(0), "203.0.113.9"), forwarded.toString());
        assertTrue(isFor(forwarded.get(1), "127.0.0.1"), forwarded.toString());
    }

    @Test
    void configuredFieldsAreStrippedFromEveryRequestEvenATrustedOnes() throws Exception {
        origin = new TestOrigin().route("/item", request -> Reply.of(200, "method " + request.headers().get("X-HTTP-Method-Override"),
                "Cache-Control", "max-age=60"));
        ClientForwarding forwarding = ClientForwarding.builder().trustedProxies("127.0.0.1").stripRequestHeaders("X-HTTP-Method-Override").build();
        proxy = new ProxyUnderTest(new CachingProxyServlet(URI.create(origin.url()), CachingEngine.builder().store(store).build())
                .forwarding(forwarding), Map.of(), ProxyUnderTest.FrontEnd.SERVLET);

        HttpResponse<String> attacker = proxy.get("/item", "X-HTTP-Method-Override", "DELETE");
        HttpResponse<String> innocent = proxy.get("/item");

        assertEquals("method null", attacker.body());
        assertEquals("method null", innocent.body());
        assertNull(origin.lastReceived().headers().get("X-HTTP-Method-Override"));
    }

    @Test
    void anHttp10ResponseWithTransferEncodingIsA502NeverStoredAndItsConnectionClosed() throws Exception {
        try (RawOrigin faulty = new RawOrigin(requestLine -> RawOrigin.Answer.keepAlive(
                "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nCache-Control: public, max-age=300\r\nConnection: keep-alive\r\n\r\n"
                        + "6\r\npoison\r\n0\r\n\r\n"))) {
            proxy = new ProxyUnderTest(URI.create(faulty.url()), CachingEngine.builder().store(store).build());

            HttpResponse<String> first = proxy.get("/framed");
            HttpResponse<String> innocent = proxy.get("/framed");

            assertEquals(502, first.statusCode());
            assertEquals(502, innocent.statusCode(), "nothing was stored for the next client");
            assertFalse(innocent.body().contains("poison"), innocent.body());
            assertEquals(List.of("GET /framed HTTP/1.1", "GET /framed HTTP/1.1"), faulty.requestLines());
            assertEquals(2, faulty.connections(), "the connection of the faulty response was not used again");
        }
    }

    /** Whether a {@code Forwarded} element names this client, quoted or not (RFC 7239 allows both). */
    private static boolean isFor(String element, String address) {
        return element.contains("for=" + address) || element.contains("for=\"" + address + "\"");
    }

    private void startOriginThatBuildsLinksFromForwardingFields() throws Exception {
        origin = new TestOrigin().route("/home", request -> {
            String proto = request.headers().get("X-Forwarded-Proto");
            String host = request.headers().get("X-Forwarded-Host");
            return Reply.of(200, proto + "://" + host + "/login", "Cache-Control", "public, max-age=300");
        });
    }
}
