package dev.cacheproxy.examples;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Scanner;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example proxy's one connector, all of it Jetty's: HTTPS with HTTP/2 and HTTP/1.1 by ALPN (TLS
 * 1.2 and 1.3 only) when it has a certificate, else HTTP/1.1 in clear text, with h2c if asked for.
 */
final class ProxyConnector {

    private ProxyConnector() {
    }

    /**
     * Adds the connector to the server (not started); with a certificate, also a {@link CertificateReloader}
     * as a bean of the server.
     *
     * @param certificate the certificate as read at start, with where it came from; empty for clear text
     */
    static ServerConnector add(Server server, HttpConfiguration http, Optional<TlsFlags.CertificateSource> source,
                               Optional<ServerCertificate> certificate, boolean h2c) {
        ServerConnector connector;
        if (certificate.isPresent()) {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            use(tls, certificate.get());
            tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            // HTTP/2 forbids some TLS 1.2 cipher suites (RFC 9113 §9.2.2): prefer the ones it allows.
            tls.setCipherComparator(HTTP2Cipher.COMPARATOR);
            HttpConfiguration https = new HttpConfiguration(http);
            https.addCustomizer(new SecureRequestCustomizer());
            HttpConnectionFactory http11 = new HttpConnectionFactory(https);
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(); // offers the protocols that follow it: h2, http/1.1
            alpn.setDefaultProtocol(http11.getProtocol()); // a client that offers no ALPN speaks HTTP/1.1
            connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
            server.addBean(new CertificateReloader(source.orElseThrow(), tls));
        } else if (h2c) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        server.addConnector(connector);
        return connector;
    }

    private static void use(SslContextFactory tls, ServerCertificate certificate) {
        tls.setKeyStore(certificate.keyStore());
        tls.setKeyStorePassword(certificate.password());
        tls.setKeyManagerPassword(certificate.password());
    }

    /**
     * Watches the certificate's files with Jetty's {@link Scanner} and, when they change and read well
     * together, hands the new certificate to Jetty ({@link SslContextFactory#reload}): new connections get
     * it, open ones keep theirs. A renewal that does not read or match (a key written before its
     * certificate) is logged and the current certificate kept, until the files change again.
     */
    static final class CertificateReloader extends ContainerLifeCycle {

        private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

        private final TlsFlags.CertificateSource source;
        private final SslContextFactory.Server tls;
        private final Scanner scanner = new Scanner();

        CertificateReloader(TlsFlags.CertificateSource source, SslContextFactory.Server tls) {
            this.source = source;
            this.tls = tls;
            scanner.setScanInterval(1);
            scanner.setReportExistingFilesOnStartup(false);
            source.files().forEach(scanner::addFile);
            scanner.addListener(new Scanner.BulkListener() {
                @Override
                public void pathsChanged(Map<Path, Scanner.Notification> changed) {
                    reload();
                }
            });
            addBean(scanner);
        }

        /** Scans the files now, twice (Jetty's scanner reports a file once it has stopped changing): for tests. */
        void scanNow() throws Exception {
            for (int i = 0; i < 2; i++) {
                CompletableFuture<Void> scanned = new CompletableFuture<>();
                scanner.scan(Callback.from(() -> scanned.complete(null), scanned::completeExceptionally));
                scanned.get(10, TimeUnit.SECONDS);
            }
        }

        private void reload() {
            ServerCertificate next;
            try {
                next = source.read();
            } catch (IllegalArgumentException unusable) {
                LOG.error("kept the current TLS certificate: {}", unusable.getMessage());
                return;
            }
            try {
                tls.reload(factory -> use(factory, next));
                LOG.info("TLS certificate reloaded: {}, valid until {}", next.leaf().getSubjectX500Principal().getName(),
                        Instant.ofEpochMilli(next.leaf().getNotAfter().getTime()));
            } catch (Exception refused) {
                LOG.error("kept the current TLS certificate: Jetty refused the new one: {}", refused.toString());
            }
        }
    }
}
