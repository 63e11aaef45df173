package dev.cacheproxy.jetty;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * How a {@link CachingProxyServlet} talks to its origin: the HTTP version, and which TLS certificates
 * it accepts from an {@code https} origin. The default, {@link #DEFAULT}, is HTTP/1.1 and the JDK's
 * trust store with host names checked (RFC 9110 §4.3.4); SNI is sent for origins named by host name.
 *
 * @param protocol the HTTP version spoken to the origin
 * @param trust    which certificates an {@code https} origin may present
 */
public record OriginTransport(Protocol protocol, Trust trust) {

    /** HTTP/1.1, TLS certificates and host names checked against the JDK's trust store. */
    public static final OriginTransport DEFAULT = new OriginTransport(Protocol.HTTP_1_1, new JdkTrustStore());

    /** TLS versions offered to origins: older ones are broken (RFC 8996). */
    static final String[] TLS_VERSIONS = {"TLSv1.3", "TLSv1.2"};

    /**
     * Checks that neither part is null.
     *
     * @param protocol the HTTP version spoken to the origin
     * @param trust    the certificates an {@code https} origin may present
     */
    public OriginTransport {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(trust, "trust");
    }

    /**
     * This transport with another HTTP version.
     *
     * @param protocol the HTTP version instead of this one
     * @return a copy with it
     */
    public OriginTransport withProtocol(Protocol protocol) {
        return new OriginTransport(protocol, trust);
    }

    /**
     * This transport trusting other certificates.
     *
     * @param trust the certificates to trust instead
     * @return a copy with them
     */
    public OriginTransport withTrust(Trust trust) {
        return new OriginTransport(protocol, trust);
    }

    /** The HTTP version spoken to the origin. */
    public enum Protocol {
        /** HTTP/1.1, over TLS for an {@code https} origin. */
        HTTP_1_1("http/1.1"),
        /** HTTP/2 over TLS, agreed by ALPN; the origin must be {@code https} and offer {@code h2}. */
        H2("h2"),
        /** HTTP/2 in clear text with prior knowledge (RFC 9113 §3.3); the origin must be {@code http}. */
        H2C("h2c");

        private final String token;

        Protocol(String token) {
            this.token = token;
        }

        /**
         * Its name as ALPN and the command line spell it: {@code http/1.1}, {@code h2} or {@code h2c}.
         *
         * @return the token
         */
        public String token() {
            return token;
        }

        /**
         * The protocol named {@code http/1.1}, {@code h2} or {@code h2c} (any case).
         *
         * @param name the protocol's token
         * @return the protocol
         * @throws IllegalArgumentException for any other name
         */
        public static Protocol fromToken(String name) {
            for (Protocol protocol : values()) {
                if (protocol.token.equalsIgnoreCase(name.strip())) {
                    return protocol;
                }
            }
            throw new IllegalArgumentException("the origin protocol must be h2, h2c or http/1.1, got \"" + name + "\"");
        }
    }

    /** Which certificates an {@code https} origin may present. */
    public sealed interface Trust permits JdkTrustStore, TrustedCertificates, AnyCertificate {
    }

    /** The JDK's trust store (its {@code cacerts}, or {@code javax.net.ssl.trustStore}); host names checked. */
    public record JdkTrustStore() implements Trust {
    }

    /**
     * Only chains that end in one of these certificates (usually a private CA's), instead of the JDK's
     * trust store; host names checked.
     *
     * @param certificates at least one
     */
    public record TrustedCertificates(List<X509Certificate> certificates) implements Trust {

        /**
         * Copies the list, which must not be empty.
         *
         * @param certificates the certificates, at least one
         */
        public TrustedCertificates {
            certificates = List.copyOf(certificates);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no trusted certificate given");
            }
        }

        /**
         * The certificates in a PEM file (one or more {@code -----BEGIN CERTIFICATE-----} blocks).
         *
         * @param file a PEM file
         * @return its certificates
         * @throws IllegalArgumentException if the file cannot be read or holds no certificate
         */
        public static TrustedCertificates fromPem(Path file) {
            List<X509Certificate> certificates = new ArrayList<>();
            try (InputStream in = Files.newInputStream(file)) {
                for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    certificates.add((X509Certificate) certificate);
                }
            } catch (IOException | GeneralSecurityException unreadable) {
                throw new IllegalArgumentException("cannot read certificates from " + file + ": " + unreadable.getMessage(), unreadable);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no PEM certificate in " + file);
            }
            return new TrustedCertificates(certificates);
        }

        private KeyStore asKeyStore() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < certificates.size(); i++) {
                    store.setCertificateEntry("trusted-" + i, certificates.get(i));
                }
                return store;
            } catch (IOException | GeneralSecurityException impossible) {
                throw new IllegalStateException("cannot make an in-memory trust store", impossible);
            }
        }
    }

    /**
     * Any certificate for any name: the connection is encrypted but anyone on the path can pose as the
     * origin, and what they send is cached for every client. For tests and emergencies only; the
     * servlet logs a warning when it starts with it.
     */
    public record AnyCertificate() implements Trust {
    }

    /**
     * Checks that the protocol suits the origin's scheme.
     *
     * @throws IllegalArgumentException for {@code h2} to an {@code http} origin or {@code h2c} to an {@code https} one
     */
    void checkFits(URI origin) {
        boolean https = "https".equals(origin.getScheme().toLowerCase(Locale.ROOT));
        if (protocol == Protocol.H2 && !https) {
            throw new IllegalArgumentException("h2 to the origin needs an https origin (h2c is HTTP/2 without TLS), got " + origin);
        }
        if (protocol == Protocol.H2C && https) {
            throw new IllegalArgumentException("h2c to the origin needs an http origin (h2 is HTTP/2 over TLS), got " + origin);
        }
    }

    /** The TLS settings for connections to the origin. */
    SslContextFactory.Client sslContextFactory() {
        SslContextFactory.Client tls = new SslContextFactory.Client(trust instanceof AnyCertificate);
        tls.setIncludeProtocols(TLS_VERSIONS);
        if (trust instanceof AnyCertificate) {
            tls.setEndpointIdentificationAlgorithm(null);
        } else {
            tls.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (trust instanceof TrustedCertificates trusted) {
            tls.setTrustStore(trusted.asKeyStore());
        }
        tls.setSNIProvider(OriginTransport::serverNames);
        return tls;
    }

    /**
     * SNI for every origin named by a host name: the JDK sends it only for names with a dot, so an origin
     * called {@code localhost} or {@code backend} would get none. Never for an IP address (RFC 6066 §3).
     */
    private static List<SNIServerName> serverNames(SSLEngine engine, List<SNIServerName> fromJdk) {
        String host = engine.getPeerHost();
        if (!fromJdk.isEmpty() || host == null || host.contains(":") || host.matches("[0-9.]+")) {
            return fromJdk;
        }
        try {
            return List.of(new SNIHostName(host));
        } catch (IllegalArgumentException notAHostName) {
            return fromJdk;
        }
    }

    /** Jetty's client for this protocol over the connector. */
    HttpClient newHttpClient(ClientConnector connector) {
        return switch (protocol) {
            case HTTP_1_1 -> {
                HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
                // By default Jetty hands back a field it saw earlier on the connection whose value differs
                // only in case: the origin's MaX-aGe=3600 could reach the client (and the store) as
                // another response's max-age=3600.
                transport.setHeaderCacheCaseSensitive(true);
                yield new HttpClient(transport);
            }
            // Only h2 is offered by ALPN: a fallback to HTTP/1.1 would go through Jetty's dynamic
            // transport, whose HTTP/1.1 parser has the case-folding field cache above.
            case H2, H2C -> new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
        };
    }
}
