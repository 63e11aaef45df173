package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * With {@code preserveHost} the backend answers by the client's host, so the host its answer is stored
 * under and the {@code Host} it got must be one: whatever a client sends (a {@code Host} beside another
 * {@code :authority} or absolute target), and whatever a normaliser or hook makes of {@code Host}. The
 * backend on 127.0.0.1 answers every request with the {@code Host} it got, cacheable.
 */
final class PreservedHostTest {

    @AutoClose
    private final TestOrigin origin = new TestOrigin();
    @AutoClose
    private CachingEngine engine = CachingEngine.builder().build();
    private final Server server = new Server();
    private final HttpClient http1 = new HttpClient(new HttpClientTransportOverHTTP());
    private final HttpClient h2c = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    private int port;
    private CachingProxyServlet proxy;

    PreservedHostTest() throws Exception {
        origin.route("/home", request -> TestOrigin.Reply.of(200, "home of " + request.headers().get("Host"), "Cache-Control", "max-age=60"));
        http1.start();
        h2c.start();
    }

    @AfterEach
    void stop() throws Exception {
        http1.stop();
        h2c.stop();
        server.stop();
    }

    /** The proxy on a connector that speaks HTTP/1.1 and h2c, with {@code preserveHost}. */
    private void start(CachingProxyServlet servlet, ProxyUnderTest.FrontEnd frontEnd) throws Exception {
        proxy = servlet;
        ServerConnector connector = Wire.addClearConnector(server);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        holder.setInitParameters(Map.of("preserveHost", "true"));
        context.addServlet(holder, "/*");
        server.setHandler(frontEnd == ProxyUnderTest.FrontEnd.SERVLET ? context : new CachingHandler(context, servlet));
        server.start();
        port = connector.getLocalPort();
    }

    private CachingProxyServlet servlet() {
        return new CachingProxyServlet(URI.create(origin.url()), engine);
    }

    private String home(HttpClient client, String host) throws Exception {
        var request = client.newRequest("http://127.0.0.1:" + port + "/home").timeout(10, TimeUnit.SECONDS);
        if (host != null) {
            request.headers(fields -> fields.put("Host", host));
        }
        ContentResponse response = request.send();
        assertEquals(200, response.getStatus(), response.getContentAsString());
        return response.getContentAsString();
    }

    /** Each host gets its own answer, whatever was stored before. */
    private void assertEachHostGetsItsOwnAnswer() throws Exception {
        assertEquals("home of a.example", home(http1, "a.example"));
        assertEquals("home of b.example", home(http1, "b.example"));
        assertEquals("home of 127.0.0.1:" + port, home(http1, null));
        assertEquals("home of 127.0.0.1:" + port, home(h2c, null));
    }

    @ParameterizedTest
    @EnumSource(value = ProxyUnderTest.FrontEnd.class, names = {"SERVLET", "CACHING_HANDLER"})
    void anHttp2RequestWhoseHostFieldDisagreesWithItsAuthorityNeverStoresOneHostsAnswerForTheOther(ProxyUnderTest.FrontEnd frontEnd)
            throws Exception {
        start(servlet(), frontEnd);

        ContentResponse mismatched = h2c.newRequest("http://127.0.0.1:" + port + "/home").timeout(10, TimeUnit.SECONDS)
                .headers(fields -> fields.put("Host", "b.example")).send();
        // Jetty 12.1 refuses it (RFC 9113 §8.3.1); 12.0 lets it through, keyed on :authority: so must the backend's Host be.
        assertTrue(mismatched.getStatus() == 400 || mismatched.getContentAsString().equals("home of 127.0.0.1:" + port),
                mismatched.getStatus() + " " + mismatched.getContentAsString());

        assertEquals("home of 127.0.0.1:" + port, home(h2c, null), "the :authority's own answer");
        assertEquals("home of b.example", home(http1, "b.example"), "the host field's own answer");
    }

    @ParameterizedTest
    @EnumSource(value = ProxyUnderTest.FrontEnd.class, names = {"SERVLET", "CACHING_HANDLER"})
    void anAbsoluteTargetNamingAnotherHostThanHostNeverStoresOneHostsAnswerForTheOther(ProxyUnderTest.FrontEnd frontEnd)
            throws Exception {
        start(servlet(), frontEnd);

        String response;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET http://b.example/home HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        // RFC 9112 §3.2.2: the target's authority wins over Host; the key has it, so the backend gets it.
        assertTrue(response.startsWith("HTTP/1.1 400") || response.endsWith("home of b.example"), response);

        assertEachHostGetsItsOwnAnswer();
    }

    @Test
    void aHookThatSetsHostCannotMakeTheBackendAnswerForAnotherHostThanTheKeyNames() throws Exception {
        start(new CachingProxyServlet(URI.create(origin.url()), engine) {
            private static final long serialVersionUID = 1L;

            @Override
            protected void addOriginRequestFields(HttpServletRequest clientRequest, HttpFields.Mutable originFields) {
                originFields.put("Host", "elsewhere.example");
            }
        }, ProxyUnderTest.FrontEnd.SERVLET);

        assertEquals("home of a.example", home(http1, "a.example"));
        assertEquals("a.example", origin.lastReceived().headers().get("Host"));
        assertEachHostGetsItsOwnAnswer();
    }

    @Test
    void aNormaliserThatRewritesHostCannotMakeTheBackendAnswerForAnotherHostThanTheKeyNames() throws Exception {
        engine.close();
        engine = CachingEngine.builder()
                .normalizeRequests(request -> request.headers().without("Host").with("Host", "elsewhere.example")).build();
        start(servlet(), ProxyUnderTest.FrontEnd.CACHING_HANDLER);

        assertEachHostGetsItsOwnAnswer();
        assertEquals(3, origin.requestCount(), "each host's answer fetched once, none from another's entry");
    }

    @Test
    void aPurgeOfTheURLClientsUseRemovesWhatAGetOfItStoredWithoutOrWithItsDefaultPort() throws Exception {
        start(servlet(), ProxyUnderTest.FrontEnd.CACHING_HANDLER);
        assertEquals("home of shop.example", home(http1, "Shop.Example:80"));
        assertEquals("home of shop.example", home(http1, "shop.example"), "one host, one entry: the default port is no other host");
        assertEquals(1, origin.requestCount());

        CachingProxyServlet servlet = proxy;
        assertEquals(1, servlet.purge(URI.create("http://shop.example/home")).entries().getAsLong());
        assertEquals(0, servlet.purge(URI.create("https://shop.example:443/home")).entries().getAsLong(),
                "https on its default port names the same entry, already gone");
        home(http1, "shop.example");
        assertEquals(2, origin.requestCount(), "fetched again after the purge");
        // Stored once the body has ended, which the client may see first.
        var key = engine.keyFor(servlet.purgeRequest(URI.create("https://shop.example/home")).orElseThrow());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.store().variants(key).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "stored again");
            Thread.onSpinWait();
        }
        assertEquals(1, servlet.purge(URI.create("https://shop.example/home")).entries().getAsLong());
        assertEquals(0, servlet.purge(URI.create("http://shop.example:8080/home")).entries().getAsLong(), "another port, another host");
    }
}
