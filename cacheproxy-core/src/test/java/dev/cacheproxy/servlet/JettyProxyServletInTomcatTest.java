package dev.cacheproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.cacheproxy.store.EhcacheStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletRegistration;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Any proxy servlet becomes a caching one: Jetty's transparent proxy servlet, in Tomcat, behind the filter. */
final class JettyProxyServletInTomcatTest {

    private final AtomicInteger originRequests = new AtomicInteger();
    private HttpServer origin;
    private ServletContainer tomcat;

    @AfterEach
    void stop() {
        if (tomcat != null) {
            tomcat.close();
        }
        if (origin != null) {
            origin.stop(0);
        }
    }

    @Test
    void theSecondGetThroughJettysProxyServletIsAHitAndTheOriginSeesOneRequest() throws Exception {
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        origin.createContext("/", exchange -> {
            byte[] body = ("origin response #" + originRequests.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Cache-Control", "max-age=60");
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        origin.start();
        tomcat = ServletContainer.Kind.TOMCAT.start((classes, context) -> {
            var cache = context.addFilter("cacheproxy",
                    CachingFilter.builder().store(EhcacheStore.builder().heapEntries(10).offHeapMegabytes(4).build()).build());
            cache.setAsyncSupported(true);
            cache.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
            ServletRegistration.Dynamic proxy = context.addServlet("proxy", new ProxyServlet.Transparent());
            proxy.setAsyncSupported(true);
            proxy.setInitParameter("proxyTo", "http://127.0.0.1:" + origin.getAddress().getPort());
            proxy.setInitParameter("maxThreads", "8");
            proxy.addMapping("/*");
        });
        Client client = new Client(tomcat.port());

        HttpResponse<byte[]> miss = client.get("/page");
        HttpResponse<byte[]> hit = client.get("/page");

        assertEquals(1, originRequests.get());
        assertEquals("origin response #1", new String(miss.body(), StandardCharsets.UTF_8));
        assertEquals("origin response #1", new String(hit.body(), StandardCharsets.UTF_8));
        assertTrue(miss.headers().firstValue("Cache-Status").orElseThrow().contains("stored"));
        assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertEquals(miss.headers().firstValue("Content-Type"), hit.headers().firstValue("Content-Type"));
    }
}
