package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestCertificates;
import dev.cacheproxy.jetty.TestCertificates.KeyFormat;
import dev.cacheproxy.jetty.TestCertificates.KeyType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example proxy over HTTPS (HTTP/2 by ALPN, HTTP/1.1 otherwise) and h2c, with certificates made
 * during the test; a renewed certificate is served without a restart, and a bad one stops the start.
 */
final class ExampleProxyTlsTest {

    private static final TestCertificates AUTHORITY = TestCertificates.newAuthority("example proxy test authority");

    @TempDir
    Path dir;
    private DemoOrigin demo;
    private Server server;

    @BeforeEach
    void startDemoOrigin() throws Exception {
        demo = new DemoOrigin();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        demo.close();
    }

    @Test
    void overHttpsTheDemoPageIsAMissThenAHitOverHttp2AndOverHttp11() throws Exception {
        TestCertificates.Issued issued = AUTHORITY.issue(KeyType.EC, "127.0.0.1");
        start("--tls-cert", issued.writeChainPem(dir.resolve("chain.pem")).toString(),
                "--tls-key", issued.writeKeyPem(dir.resolve("key.pem"), KeyFormat.PKCS8).toString());

        HttpResponse<String> miss = get(HttpClient.Version.HTTP_2, "https", "/hello");
        HttpResponse<String> hit = get(HttpClient.Version.HTTP_2, "https", "/hello");
        HttpResponse<String> overHttp11 = get(HttpClient.Version.HTTP_1_1, "https", "/hello");

        assertEquals(HttpClient.Version.HTTP_2, hit.version());
        assertEquals(HttpClient.Version.HTTP_1_1, overHttp11.version());
        assertTrue(miss.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
        assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertTrue(overHttp11.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
        assertEquals(miss.body(), overHttp11.body());
        assertEquals("TLSv1.3", hit.sslSession().orElseThrow().getProtocol());
    }

    @Test
    void aClientThatOffersOnlyHttp11ByAlpnIsAnsweredOverHttp11() throws Exception {
        TestCertificates.Issued issued = AUTHORITY.issue(KeyType.EC, "127.0.0.1");
        start("--tls-cert", issued.writeChainPem(dir.resolve("chain.pem")).toString(),
                "--tls-key", issued.writeKeyPem(dir.resolve("key.pem"), KeyFormat.PKCS8).toString());
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();

        // As curl --http1.1 does: ALPN offers http/1.1 alone.
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trustingAuthority().getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertEquals("http/1.1", socket.getApplicationProtocol());
            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        }
    }

    @Test
    void aPkcs12KeyStoreWithItsPasswordFromTheEnvironmentServesHttps() throws Exception {
        Path store = AUTHORITY.issue(KeyType.RSA, "127.0.0.1").writePkcs12(dir.resolve("proxy.p12"), "s3cret".toCharArray());
        ExampleFlags flags = ExampleFlags.parse(List.of("--keystore", store.toString()));
        server = ExampleProxy.start(URI.create(demo.url()), "127.0.0.1", 0, CachingEngine.builder().build(), Map.of(), true,
                flags.tls().load(Map.of(TlsFlags.PASSWORD_VARIABLE, "s3cret")::get));

        assertEquals(200, get(HttpClient.Version.HTTP_2, "https", "/hello").statusCode());
    }

    @Test
    void aCertificateRenewedOnDiskIsServedToNewConnectionsWithoutARestartAndABadRenewalIsIgnored() throws Exception {
        Path chain = dir.resolve("chain.pem");
        Path key = dir.resolve("key.pem");
        TestCertificates.Issued first = AUTHORITY.issue(KeyType.EC, "127.0.0.1");
        first.writeChainPem(chain);
        first.writeKeyPem(key, KeyFormat.TRADITIONAL);
        start("--tls-cert", chain.toString(), "--tls-key", key.toString());
        assertEquals(first.certificate(), servedCertificate());

        TestCertificates.Issued renewed = AUTHORITY.issue(KeyType.RSA, "127.0.0.1");
        renewed.writeChainPem(chain);
        renewed.writeKeyPem(key, KeyFormat.TRADITIONAL);
        reloader().scanNow();
        X509Certificate afterRenewal = servedCertificate();
        AUTHORITY.issue(KeyType.EC, "127.0.0.1").writeChainPem(chain); // its key is not written: a half-done renewal
        reloader().scanNow();

        assertEquals(renewed.certificate(), afterRenewal, "the renewed certificate, without a restart");
        assertEquals(renewed.certificate(), servedCertificate(), "a certificate without its key is not taken");
    }

    @Test
    void withH2cThePlainPortSpeaksHttp2AsWell() throws Exception {
        start("--h2c");

        HttpResponse<String> response = get(HttpClient.Version.HTTP_2, "http", "/hello");

        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, response.version(), "upgraded to h2c");
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateStopsTheStartWithStatus2AndOneLine() throws Exception {
        Path chain = AUTHORITY.issue(KeyType.EC, "127.0.0.1").writeChainPem(dir.resolve("chain.pem"));
        Path key = AUTHORITY.issue(KeyType.EC, "127.0.0.1").writeKeyPem(dir.resolve("key.pem"), KeyFormat.PKCS8);

        Run run = runMain(Map.of(), "--port", "0", "--tls-cert", chain.toString(), "--tls-key", key.toString());

        assertEquals(2, run.status());
        assertEquals(List.of("cacheproxy-example: the key in " + key + " does not match the certificate in " + chain), run.errorLines());
    }

    @Test
    void aKeyStoreWithAWrongPasswordStopsTheStartWithStatus2AndNamesTheVariable() throws Exception {
        Path store = AUTHORITY.issue(KeyType.EC, "127.0.0.1").writePkcs12(dir.resolve("proxy.p12"), "right".toCharArray());

        Run run = runMain(Map.of(TlsFlags.PASSWORD_VARIABLE, "wrong"), "--port", "0", "--keystore", store.toString());

        assertEquals(2, run.status());
        assertEquals(1, run.errorLines().size(), run.errorLines().toString());
        assertTrue(run.errorLines().get(0).contains(TlsFlags.PASSWORD_VARIABLE), run.errorLines().toString());
    }

    private void start(String... flags) throws Exception {
        ExampleFlags parsed = ExampleFlags.parse(List.of(flags));
        server = ExampleProxy.start(URI.create(demo.url()), "127.0.0.1", 0, CachingEngine.builder().build(), Map.of(), true,
                parsed.tls().load(System::getenv));
    }

    private ProxyConnector.CertificateReloader reloader() {
        return server.getBean(ProxyConnector.CertificateReloader.class);
    }

    private HttpResponse<String> get(HttpClient.Version version, String scheme, String path) throws Exception {
        HttpClient client = client(version);
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return client.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The certificate a new connection is shown. */
    private X509Certificate servedCertificate() throws Exception {
        return (X509Certificate) get(HttpClient.Version.HTTP_2, "https", "/hello").sslSession().orElseThrow().getPeerCertificates()[0];
    }

    /** A new client, so a new connection, trusting the test authority. */
    private static HttpClient client(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder().version(version).sslContext(trustingAuthority()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static SSLContext trustingAuthority() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(AUTHORITY.trustStore());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }

    private record Run(int status, List<String> errorLines) {
    }

    /** Runs the example's main in its own JVM, as a user would, and waits for it to exit. */
    private static Run runMain(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ExampleProxy.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the example proxy did not exit");
        }
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.exitValue(), errors.lines().toList());
    }
}
