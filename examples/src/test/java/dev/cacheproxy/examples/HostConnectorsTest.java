package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.CachingHandler;
import dev.cacheproxy.jetty.CachingProxyServlet;
import dev.cacheproxy.jetty.TestCertificates;
import dev.cacheproxy.jetty.TestCertificates.KeyFormat;
import dev.cacheproxy.jetty.TestCertificates.KeyType;
import dev.cacheproxy.servlet.CachingFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletRegistration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.KeyStoreScanner;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's recipes: the caching proxy and the caching filter behind a host's own TLS and HTTP/2
 * connectors, in Jetty 12 and in Tomcat, answer misses, hits, 304s and ranges the same over HTTP/2
 * (TLS and h2c) as over HTTP/1.1, and collapse concurrent misses over HTTP/2.
 */
final class HostConnectorsTest {

    private static final TestCertificates AUTHORITY = TestCertificates.newAuthority("host connectors test authority");
    private static final TestCertificates.Issued LOOPBACK = AUTHORITY.issue(KeyType.EC, "127.0.0.1");

    @TempDir
    Path dir;
    private final Server origin = new Server();
    private String originUrl;
    private Server jetty;
    private Tomcat tomcat;

    /** An origin serving {@link Page} in plain HTTP/1.1, for the proxies. */
    @BeforeEach
    void startOrigin() throws Exception {
        ServerConnector connector = new ServerConnector(origin);
        connector.setHost("127.0.0.1");
        origin.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new Page()), "/*");
        origin.setHandler(context);
        origin.start();
        originUrl = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        origin.stop();
    }

    @Test
    void theCachingProxyBehindJettysOwnTlsAndHttp2ConnectorAnswersTheSameOverH2AndHttp11() throws Exception {
        Path keyStore = LOOPBACK.writePkcs12(dir.resolve("proxy.p12"), "changeit".toCharArray());
        jetty = new Server();
        // As the README shows it.
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(keyStore.toString());
        tls.setKeyStorePassword("changeit");
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        tls.setCipherComparator(HTTP2Cipher.COMPARATOR);
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer());
        HttpConnectionFactory http11 = new HttpConnectionFactory(https);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(); // offers the protocols that follow it: h2, http/1.1
        alpn.setDefaultProtocol(http11.getProtocol());
        ServerConnector connector = new ServerConnector(jetty, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        jetty.addBean(new KeyStoreScanner(tls)); // a renewed key store is picked up without a restart

        ServletContextHandler context = new ServletContextHandler("/");
        CachingProxyServlet servlet = new CachingProxyServlet(URI.create(originUrl), CachingEngine.builder().build());
        ServletHolder proxy = new ServletHolder(servlet);
        proxy.setAsyncSupported(true);
        context.addServlet(proxy, "/*");
        jetty.setHandler(CachingHandler.forInMemoryStore(context, servlet));
        jetty.start();

        assertSameOverEveryVersion("https://127.0.0.1:" + connector.getLocalPort(), HttpClient.Version.HTTP_2);
    }

    @Test
    void theCachingFilterBehindJettysH2cConnectorAnswersTheSameOverH2cAndHttp11() throws Exception {
        jetty = new Server();
        HttpConfiguration http = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServletContainerInitializer((classes, servletContext) -> registerFilterAndPage(servletContext));
        jetty.setHandler(context);
        jetty.start();

        assertSameOverEveryVersion("http://127.0.0.1:" + connector.getLocalPort(), HttpClient.Version.HTTP_2);
    }

    @Test
    void theCachingFilterBehindTomcatsTlsAndHttp2ConnectorAnswersTheSameOverH2AndHttp11() throws Exception {
        Connector connector = tomcatTlsConnector();
        startTomcat(connector, context -> context.addServletContainerInitializer((classes, servletContext) ->
                registerFilterAndPage(servletContext), null));

        assertSameOverEveryVersion("https://127.0.0.1:" + connector.getLocalPort(), HttpClient.Version.HTTP_2);
    }

    @Test
    void theCachingFilterBehindTomcatsH2cUpgradeAnswersTheSameOverH2cAndHttp11() throws Exception {
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.addUpgradeProtocol(new Http2Protocol());
        startTomcat(connector, context -> context.addServletContainerInitializer((classes, servletContext) ->
                registerFilterAndPage(servletContext), null));

        assertSameOverEveryVersion("http://127.0.0.1:" + connector.getLocalPort(), HttpClient.Version.HTTP_2);
    }

    @Test
    void theCachingProxyInsideTomcatBehindItsTlsAndHttp2ConnectorAnswersTheSameOverH2AndHttp11() throws Exception {
        Connector connector = tomcatTlsConnector();
        startTomcat(connector, context -> context.addServletContainerInitializer((classes, servletContext) -> {
            ServletRegistration.Dynamic proxy = servletContext.addServlet("cacheproxy",
                    new CachingProxyServlet(URI.create(originUrl), CachingEngine.builder().build()));
            proxy.setAsyncSupported(true);
            proxy.setInitParameter("maxThreads", "32"); // outside Jetty the proxy's client needs its own threads
            proxy.addMapping("/*");
        }, null));

        assertSameOverEveryVersion("https://127.0.0.1:" + connector.getLocalPort(), HttpClient.Version.HTTP_2);
    }

    @Test
    void concurrentMissesOverHttp2ToTheFilterInTomcatReachThePageOnce() throws Exception {
        CachingEngine engine = CachingEngine.builder().build();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger reached = new java.util.concurrent.atomic.AtomicInteger();
        Connector connector = tomcatTlsConnector();
        startTomcat(connector, context -> context.addServletContainerInitializer((classes, servletContext) -> {
            ServletRegistration.Dynamic page = servletContext.addServlet("slow", new jakarta.servlet.http.HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response)
                        throws java.io.IOException {
                    reached.incrementAndGet();
                    try {
                        release.await(20, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    response.setHeader("Cache-Control", "public, max-age=60");
                    response.getWriter().print("one answer for all");
                }
            });
            page.setAsyncSupported(true);
            page.addMapping("/*");
            FilterRegistration.Dynamic cache = servletContext.addFilter("cacheproxy", new CachingFilter(engine));
            cache.setAsyncSupported(true);
            cache.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        }, null));
        int clients = 10;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trustingAuthority()).build();
        URI url = URI.create("https://127.0.0.1:" + connector.getLocalPort() + "/popular");

        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> responses = new java.util.ArrayList<>();
        for (int i = 0; i < clients; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (engine.statistics().collapsedWaits() < clients - 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        release.countDown();

        for (java.util.concurrent.CompletableFuture<HttpResponse<String>> response : responses) {
            HttpResponse<String> answered = response.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, answered.version());
            assertEquals("one answer for all", answered.body());
        }
        assertEquals(clients - 1, engine.statistics().collapsedWaits(), "all but one waited for the first");
        assertEquals(1, reached.get(), "the page was asked once");
    }

    private static void registerFilterAndPage(jakarta.servlet.ServletContext servletContext) {
        ServletRegistration.Dynamic hello = servletContext.addServlet("hello", new Page());
        hello.setAsyncSupported(true);
        hello.addMapping("/*");
        FilterRegistration.Dynamic cache = servletContext.addFilter("cacheproxy", CachingFilter.builder().build());
        cache.setAsyncSupported(true);
        cache.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    }

    /** Tomcat's NIO connector with TLS from PEM files and HTTP/2 by ALPN, as the README's server.xml says. */
    private Connector tomcatTlsConnector() {
        Path chain = LOOPBACK.writeChainPem(dir.resolve("fullchain.pem"));
        Path key = LOOPBACK.writeKeyPem(dir.resolve("privkey.pem"), KeyFormat.PKCS8);
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setScheme("https");
        connector.setSecure(true);
        connector.setProperty("SSLEnabled", "true");
        SSLHostConfig ssl = new SSLHostConfig();
        ssl.setProtocols("TLSv1.2+TLSv1.3");
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.UNDEFINED);
        certificate.setCertificateFile(chain.toString());
        certificate.setCertificateKeyFile(key.toString());
        ssl.addCertificate(certificate);
        connector.addSslHostConfig(ssl);
        connector.addUpgradeProtocol(new Http2Protocol());
        return connector;
    }

    private void startTomcat(Connector connector, java.util.function.Consumer<Context> setUp) throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(dir.resolve("tomcat")).toString());
        tomcat.setConnector(connector);
        setUp.accept(tomcat.addContext("", null));
        tomcat.start();
    }

    /**
     * A miss over HTTP/2, then over each version: a hit, the client's own 304 and a range, all from the
     * cache, with the same body.
     */
    private static void assertSameOverEveryVersion(String base, HttpClient.Version http2) throws Exception {
        HttpResponse<String> miss = get(http2, base + "/hello");
        assertEquals(http2, miss.version(), "spoke HTTP/2");
        assertTrue(cacheStatus(miss).contains("fwd=uri-miss"), cacheStatus(miss));
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            HttpResponse<String> hit = awaitHit(version, base + "/hello");
            assertEquals(version, hit.version());
            assertEquals(miss.body(), hit.body());
            assertTrue(hit.headers().firstValue("Age").isPresent());
            HttpResponse<String> range = get(version, base + "/hello", "Range", "bytes=0-4");
            assertEquals(206, range.statusCode(), version + ": " + range.body());
            assertEquals(miss.body().substring(0, 5), range.body());
            HttpResponse<String> notModified = get(version, base + "/hello", "If-None-Match", Page.ETAG);
            assertEquals(304, notModified.statusCode(), version.toString());
            assertTrue(cacheStatus(notModified).contains("hit"), cacheStatus(notModified));
        }
        assertTrue(miss.body().endsWith("#1\n"), "one request reached the page: " + miss.body());
    }

    /** A page with a validator that says how many requests reached it. */
    static final class Page extends jakarta.servlet.http.HttpServlet {
        private static final long serialVersionUID = 1L;
        static final String ETAG = "\"v1\"";
        private final java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        protected void doGet(jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response)
                throws java.io.IOException {
            response.setContentType("text/plain;charset=utf-8");
            response.setHeader("Cache-Control", "public, max-age=60");
            response.setHeader("ETag", ETAG);
            response.getWriter().print("the same page over every version, request #" + served.incrementAndGet() + "\n");
        }
    }

    /** The store is written once the miss's response has ended, which may be just after the client read it. */
    private static HttpResponse<String> awaitHit(HttpClient.Version version, String url) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            HttpResponse<String> response = get(version, url);
            if (cacheStatus(response).contains("hit") || System.nanoTime() > deadline) {
                assertTrue(cacheStatus(response).contains("hit"), cacheStatus(response));
                return response;
            }
            Thread.onSpinWait();
        }
    }

    private static String cacheStatus(HttpResponse<String> response) {
        return response.headers().firstValue("Cache-Status").orElse("");
    }

    private static SSLContext trustingAuthority() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(AUTHORITY.trustStore());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }

    private static HttpResponse<String> get(HttpClient.Version version, String url, String... headers) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(version).sslContext(trustingAuthority()).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
