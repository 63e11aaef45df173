package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.OriginTransport.Protocol;
import dev.cacheproxy.jetty.TestCertificates.KeyType;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Origins over TLS: certificates and host names are checked (against the JDK's trust store or a given
 * bundle), SNI names the origin, and a refused origin is a 502 with a clear reason and a log line, with
 * no address or exception text in what the client sees.
 */
final class OriginTlsTest {

    private static final TestCertificates AUTHORITY = HttpVersionsTest.AUTHORITY;
    private static final OriginTransport.Trust TRUST_AUTHORITY = new OriginTransport.TrustedCertificates(List.of(AUTHORITY.certificate()));

    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    @AutoClose
    private TestOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;
    @AutoClose
    private final CapturedLog log = new CapturedLog();
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"HTTP_1_1", "H2"})
    void anOriginNamedByHostNameIsAskedForByThatNameAndItsCertificateCheckedAgainstIt(Protocol protocol) throws Exception {
        origin = new TestOrigin(AUTHORITY.issue(KeyType.RSA, "localhost"))
                .route("/page", Reply.of(200, "over tls", "Cache-Control", "max-age=60"));
        proxy = proxyTo("https://localhost:" + origin.port(), new OriginTransport(protocol, TRUST_AUTHORITY));

        HttpResponse<String> response = proxy.get("/page");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("over tls", response.body());
        assertEquals(List.of("localhost"), origin.serverNames(), "SNI named the origin");
        assertEquals(protocol == Protocol.H2 ? "HTTP/2.0" : "HTTP/1.1", origin.arrivals().get(0).version());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"HTTP_1_1", "H2"})
    void anOriginWhoseCertificateDoesNotMatchItsNameIsRefusedWithA502AndALogLine(Protocol protocol) throws Exception {
        origin = new TestOrigin(AUTHORITY.issue(KeyType.EC, "origin.example"))
                .route("/page", Reply.of(200, "must not be seen", "Cache-Control", "max-age=60"));
        proxy = proxyTo(origin.url(), new OriginTransport(protocol, TRUST_AUTHORITY));

        HttpResponse<String> response = proxy.get("/page");

        assertRefused(response, "the origin's TLS certificate does not match its host name");
        assertTrue(log.text().contains("TLS to origin " + origin.url() + " refused"), log.text());
        assertTrue(log.text().contains("127.0.0.1"), "the log has the JDK's detail: " + log.text());
    }

    @Test
    void anOriginWithACertificateFromAnotherAuthorityIsNotTrusted() throws Exception {
        TestCertificates stranger = TestCertificates.newAuthority("someone else");
        origin = new TestOrigin(stranger.issue(KeyType.EC, "127.0.0.1")).route("/page", Reply.of(200, "no"));
        proxy = proxyTo(origin.url(), OriginTransport.DEFAULT.withTrust(TRUST_AUTHORITY));

        assertRefused(proxy.get("/page"), "the origin's TLS certificate is not trusted");
    }

    @Test
    void theJdkTrustStoreIsTheDefaultAndDoesNotTrustAPrivateAuthority() throws Exception {
        origin = new TestOrigin(AUTHORITY.issue(KeyType.EC, "127.0.0.1")).route("/page", Reply.of(200, "no"));
        proxy = proxyTo(origin.url(), OriginTransport.DEFAULT);

        assertRefused(proxy.get("/page"), "the origin's TLS certificate is not trusted");
    }

    @Test
    void anExpiredOriginCertificateIsRefused() throws Exception {
        Instant now = Instant.now();
        origin = new TestOrigin(AUTHORITY.issue(KeyType.EC, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), "127.0.0.1"))
                .route("/page", Reply.of(200, "no"));
        proxy = proxyTo(origin.url(), OriginTransport.DEFAULT.withTrust(TRUST_AUTHORITY));

        assertRefused(proxy.get("/page"), "the origin's TLS certificate has expired");
    }

    @Test
    void aTrustBundleIsReadFromAPemFile() throws Exception {
        Path bundle = AUTHORITY.writeCertificatePem(dir.resolve("bundle.pem"));
        origin = new TestOrigin(AUTHORITY.issue(KeyType.EC, "127.0.0.1"))
                .route("/page", Reply.of(200, "trusted by the bundle", "Cache-Control", "max-age=60"));
        proxy = proxyTo(origin.url(), OriginTransport.DEFAULT.withTrust(OriginTransport.TrustedCertificates.fromPem(bundle)));

        assertEquals("trusted by the bundle", proxy.get("/page").body());
    }

    @Test
    void aTrustBundleWithoutACertificateIsRefusedWithTheFileNamed() throws Exception {
        Path notPem = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> OriginTransport.TrustedCertificates.fromPem(notPem));

        assertTrue(refused.getMessage().contains(notPem.toString()), refused.getMessage());
    }

    @Test
    void anyCertificateIsAcceptedOnlyWhenAskedForAndThatIsLoggedAsInsecure() throws Exception {
        origin = new TestOrigin(TestCertificates.newAuthority("someone else").issue(KeyType.EC, "origin.example"))
                .route("/page", Reply.of(200, "unverified", "Cache-Control", "max-age=60"));
        proxy = proxyTo(origin.url(), OriginTransport.DEFAULT.withTrust(new OriginTransport.AnyCertificate()));

        assertEquals("unverified", proxy.get("/page").body());
        assertTrue(log.text().contains("INSECURE: the TLS certificate of origin " + origin.url() + " is NOT verified"), log.text());
    }

    @Test
    void h2NeedsAnHttpsOriginAndH2cAnHttpOne() {
        CachingEngine engine = CachingEngine.builder().store(store).build();

        assertThrows(IllegalArgumentException.class, () -> new CachingProxyServlet(URI.create("http://127.0.0.1:1"), engine,
                OriginTransport.DEFAULT.withProtocol(Protocol.H2)));
        assertThrows(IllegalArgumentException.class, () -> new CachingProxyServlet(URI.create("https://127.0.0.1:1"), engine,
                OriginTransport.DEFAULT.withProtocol(Protocol.H2C)));
        assertEquals(Protocol.H2C, Protocol.fromToken("H2C"));
        assertEquals(Protocol.HTTP_1_1, Protocol.fromToken("http/1.1"));
        assertThrows(IllegalArgumentException.class, () -> Protocol.fromToken("spdy/3"));
    }

    private ProxyUnderTest proxyTo(String originUrl, OriginTransport transport) throws Exception {
        return new ProxyUnderTest(URI.create(originUrl), CachingEngine.builder().store(store).build(), transport);
    }

    private void assertRefused(HttpResponse<String> response, String reason) {
        assertEquals(502, response.statusCode());
        assertTrue(response.body().contains(reason), response.body());
        assertFalse(response.body().contains("127.0.0.1"), "no address in the body: " + response.body());
        assertFalse(response.body().contains("Exception"), "no exception in the body: " + response.body());
        String cacheStatus = response.headers().firstValue("Cache-Status").orElseThrow();
        assertFalse(cacheStatus.contains("127.0.0.1") || cacheStatus.contains("Exception"), cacheStatus);
        assertEquals(0, origin.requestCount(), "nothing was asked of the refused origin");
    }
}
