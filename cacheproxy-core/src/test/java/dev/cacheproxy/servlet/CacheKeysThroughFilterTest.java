package dev.cacheproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CacheKeys;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.CacheKeyCases;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each ready-made cache key piece through the filter, in a real Tomcat and a real Jetty, with a real client. */
final class CacheKeysThroughFilterTest {

    private final Servlets servlets = new Servlets();
    private final List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    private ServletContainer container;
    private Client client;

    @AfterEach
    void stop() {
        if (container != null) {
            container.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cacheproxy.servlet.CachingFilterTest#containers")
    void theKeyFunctionDecidesWhichRequestsShareAResponseWhileTheServletSeesTheRequestAsSent(ServletContainer.Kind kind)
            throws Exception {
        List<CacheKeyCases.Case> cases = CacheKeyCases.cases().toList();
        // One container, one filter per case, each mapped in front of its own prefix /k<i>/.
        container = kind.start((classes, context) -> {
            ServletRegistration.Dynamic servlet = context.addServlet("echo", new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    String uri = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
                    received.add(uri);
                    // public: these requests carry cookies, and a response to one is shared only when it says so.
                    response.setHeader("Cache-Control", "public, max-age=60");
                    response.getWriter().print("for " + uri);
                }
            });
            servlet.setAsyncSupported(true);
            servlet.addMapping("/*");
            for (int i = 0; i < cases.size(); i++) {
                FilterRegistration.Dynamic filter = context.addFilter("keys-" + i, CachingFilter.builder().cacheKeys(cases.get(i).keys()).build());
                filter.setAsyncSupported(true);
                filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/k" + i + "/*");
            }
        });
        client = new Client(container.port());

        for (int i = 0; i < cases.size(); i++) {
            CacheKeyCases.Case test = cases.get(i);
            String prefix = "/k" + i;
            received.clear();
            HttpResponse<byte[]> first = client.get(prefix + test.first(), test.firstHeaders().toArray(String[]::new));
            HttpResponse<byte[]> second = client.get(prefix + test.second(), test.secondHeaders().toArray(String[]::new));

            assertEquals("for " + prefix + test.first(), body(first), test.name());
            assertEquals(prefix + test.first(), received.get(0), test.name() + ": the servlet gets the URI the client sent");
            if (test.shared()) {
                assertEquals(1, received.size(), test.name());
                assertTrue(second.headers().firstValue("Cache-Status").orElseThrow().contains("hit"), test.name());
                assertEquals("for " + prefix + test.first(), body(second), test.name());
            } else {
                assertEquals(2, received.size(), test.name());
                assertEquals("for " + prefix + test.second(), body(second), test.name());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cacheproxy.servlet.CachingFilterTest#containers")
    void purgeByUrlRemovesWhatTheKeyFunctionStoredAndTheKeyShowsOnlyWhenAskedFor(ServletContainer.Kind kind) throws Exception {
        CachingEngine engine = CachingEngine.builder().store(EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build())
                .cacheKeys(CacheKeys.targetUri().ignoreQueryParameters("utm_*")).showKeyInCacheStatus(true).build();
        start(kind, CachingFilter.builder().engine(engine));

        HttpResponse<byte[]> miss = client.get("/cached/p?utm_source=news");
        long purged = engine.purge(URI.create("http://127.0.0.1:" + container.port() + "/cached/p?utm_medium=mail"))
                .entries().orElseThrow();
        client.get("/cached/p");

        assertEquals(1, purged);
        assertEquals(2, received.size());
        assertTrue(miss.headers().firstValue("Cache-Status").orElseThrow()
                .endsWith("; key=\"http://127.0.0.1:" + container.port() + "/cached/p\""));
        engine.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cacheproxy.servlet.CachingFilterTest#containers")
    void theKeyIsHiddenFromCacheStatusByDefault(ServletContainer.Kind kind) throws Exception {
        start(kind, CachingFilter.builder());

        HttpResponse<byte[]> miss = client.get("/cached/p");

        assertFalse(miss.headers().firstValue("Cache-Status").orElseThrow().contains("key="));
    }

    private void start(ServletContainer.Kind kind, CachingFilter.Builder filter) throws Exception {
        container = kind.start((classes, context) -> {
            for (String name : List.of("p", "P")) {
                servlets.serve(context, name, (request, response) -> {
                    String uri = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
                    received.add(uri);
                    // public: these requests carry cookies, and a response to one is shared only when it says so.
                    response.setHeader("Cache-Control", "public, max-age=60");
                    response.getWriter().print("for " + uri);
                });
            }
            Servlets.cache(context, filter.build());
        });
        client = new Client(container.port());
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void theFilterBuilderRefusesAnEngineTogetherWithKeySettings() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> CachingFilter.builder()
                .engine(CachingEngine.builder().build()).cacheKeys(CacheKeys.targetUri()).build());
    }
}
