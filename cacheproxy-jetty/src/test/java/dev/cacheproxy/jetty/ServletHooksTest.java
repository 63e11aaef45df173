package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A subclass of {@link CachingProxyServlet} extends it through named hooks and cannot break what keeps
 * the cache and the origin request consistent: the overrides that hold it are final, and the engine's
 * changes to the origin request are applied after every hook.
 */
final class ServletHooksTest {

    private final ManualClock clock = ManualClock.atSystemTime();
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(10).offHeapMegabytes(4).build();
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
    void fieldsAHookAddsReachTheOriginAndARevalidationKeepsItsValidatorsWhateverTheHookRemoves() throws Exception {
        origin = new TestOrigin().route("/page", Reply.of(200, "page", "Cache-Control", "max-age=60", "ETag", "\"v1\""));
        CachingProxyServlet servlet = new CachingProxyServlet(URI.create(origin.url()),
                CachingEngine.builder().store(store).clock(clock).build()) {
            private static final long serialVersionUID = 1L;

            @Override
            protected void addOriginRequestFields(HttpServletRequest clientRequest, HttpFields.Mutable originFields) {
                originFields.put("X-Origin-Key", "secret");
                originFields.remove("If-None-Match");
            }
        };
        proxy = new ProxyUnderTest(servlet, Map.of(), ProxyUnderTest.FrontEnd.SERVLET);

        proxy.get("/page");
        clock.advance(Duration.ofSeconds(61));
        HttpResponse<String> revalidated = proxy.get("/page");

        assertEquals(2, origin.requestCount());
        assertEquals("secret", origin.lastReceived().headers().get("X-Origin-Key"));
        assertEquals("\"v1\"", origin.lastReceived().headers().get("If-None-Match"), "the validation still asks about v1");
        assertEquals("page", revalidated.body());
    }

    @Test
    void aBackgroundRefreshCarriesTheFieldsAHookAddsAndTheProxysForwardingFields() throws Exception {
        origin = new TestOrigin().route("/swr", request -> "secret".equals(request.headers().get("X-Origin-Key"))
                ? Reply.of(200, "page", "Cache-Control", "max-age=10, stale-while-revalidate=60", "ETag", "\"v1\"")
                : Reply.of(403, "no key", "Cache-Control", "max-age=60"));
        CachingProxyServlet servlet = new CachingProxyServlet(URI.create(origin.url()),
                CachingEngine.builder().store(store).clock(clock).build()) {
            private static final long serialVersionUID = 1L;

            @Override
            protected void addOriginRequestFields(HttpServletRequest clientRequest, HttpFields.Mutable originFields) {
                originFields.put("X-Origin-Key", "secret");
            }
        };
        proxy = new ProxyUnderTest(servlet, Map.of(), ProxyUnderTest.FrontEnd.SERVLET);

        proxy.get("/swr");
        clock.advance(Duration.ofSeconds(15));
        HttpResponse<String> stale = proxy.get("/swr");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (origin.requestCount() < 2) { // the refresh is sent after the client has its answer
            assertTrue(System.nanoTime() < deadline, "the refresh reached the origin");
            Thread.onSpinWait();
        }

        assertEquals("page", stale.body());
        TestOrigin.Received refresh = origin.lastReceived();
        assertEquals("secret", refresh.headers().get("X-Origin-Key"), "the hook ran for the refresh");
        assertEquals("\"v1\"", refresh.headers().get("If-None-Match"), "the refresh still validates v1");
        assertTrue(refresh.headers().get("Via") != null, "the refresh says it came through the proxy");
    }

    @Test
    void theOverridesThatKeepTheKeyAndTheOriginRequestConsistentAreFinal() throws Exception {
        for (String name : List.of("service", "rewriteTarget", "newProxyRequest", "copyRequestHeaders", "sendProxyRequest",
                "onServerResponseHeaders", "filterServerResponseHeader", "onResponseContent", "onProxyResponseSuccess",
                "onProxyResponseFailure", "onProxyRewriteFailed", "proxyRequestContent", "onClientRequestFailure", "newHttpClient", "newClientConnector", "createHttpClient")) {
            boolean declared = false;
            for (Method method : CachingProxyServlet.class.getDeclaredMethods()) {
                if (method.getName().equals(name)) {
                    declared = true;
                    assertTrue(Modifier.isFinal(method.getModifiers()), name + " is final");
                }
            }
            assertTrue(declared, name + " is declared by CachingProxyServlet");
        }
    }
}
