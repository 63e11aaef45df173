package dev.cacheproxy.examples;

import dev.cacheproxy.jetty.OriginTransport;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The example proxy's TLS and HTTP/2 flags: its own certificate (PEM or PKCS#12), h2c, and how it
 * speaks to the origin.
 *
 * @param certificate    {@code --tls-cert}: the PEM certificate chain, leaf first
 * @param key            {@code --tls-key}: the PEM private key
 * @param keyStore       {@code --keystore}: a PKCS#12 key store, its password in {@link #PASSWORD_VARIABLE}
 * @param h2c            {@code --h2c}: HTTP/2 in clear text besides HTTP/1.1
 * @param originCa       {@code --origin-ca}: trust only the certificates in this PEM bundle for the origin
 * @param originInsecure {@code --origin-insecure}: accept any certificate from the origin
 * @param originProtocol {@code --origin-protocol}
 */
record TlsFlags(Optional<Path> certificate, Optional<Path> key, Optional<Path> keyStore, boolean h2c,
                Optional<Path> originCa, boolean originInsecure, OriginTransport.Protocol originProtocol) {

    /** Where the {@code --keystore} password comes from: never a flag, which {@code ps} would show. */
    static final String PASSWORD_VARIABLE = "CACHEPROXY_KEYSTORE_PASSWORD";

    static final List<String> USAGE = List.of(
            "  --tls-cert FILE         serve HTTPS (TLS 1.2 and 1.3; HTTP/2 by ALPN, else HTTP/1.1) with this PEM",
            "                          certificate chain, leaf first; with --tls-key. A renewed file is picked up",
            "                          within seconds, without a restart",
            "  --tls-key FILE          the PEM private key for --tls-cert (PKCS#8, PKCS#1 RSA or SEC 1 EC; unencrypted)",
            "  --keystore FILE         serve HTTPS with the key and chain in this PKCS#12 file instead; its password",
            "                          is read from the environment variable " + PASSWORD_VARIABLE,
            "  --h2c                   without TLS: also speak HTTP/2 in clear text (prior knowledge or Upgrade)",
            "  --origin-protocol P     http/1.1, h2 (HTTPS origins) or h2c (HTTP origins) (default http/1.1)",
            "  --origin-ca FILE        trust only the CA certificates in this PEM file for an HTTPS origin",
            "                          (default: the JDK's trust store); host names are always checked",
            "  --origin-insecure       do NOT verify the HTTPS origin's certificate (logged as INSECURE at start)");

    /** Which certificates the origin may present, and in which HTTP version it is spoken to; reads {@code --origin-ca}. */
    OriginTransport originTransport() {
        OriginTransport.Trust trust = originInsecure ? new OriginTransport.AnyCertificate()
                : originCa.<OriginTransport.Trust>map(file -> {
                    try {
                        return OriginTransport.TrustedCertificates.fromPem(file);
                    } catch (IllegalArgumentException unreadable) {
                        throw new IllegalArgumentException("--origin-ca: " + unreadable.getMessage(), unreadable);
                    }
                }).orElseGet(OriginTransport.JdkTrustStore::new);
        return new OriginTransport(originProtocol, trust);
    }

    /**
     * Reads what the flags name: the proxy's certificate and key (checked to match) and the origin's
     * trusted certificates.
     *
     * @param environment gives the key store's password
     * @throws IllegalArgumentException with a one-line reason when a file is missing, unreadable or does not match
     */
    Loaded load(Function<String, String> environment) {
        Optional<CertificateSource> source = certificateSource(environment);
        return new Loaded(source, source.map(CertificateSource::read), h2c, originTransport());
    }

    /**
     * The flags' files, read.
     *
     * @param source          where the proxy's certificate comes from, to read again when it changes
     * @param certificate     the proxy's certificate as read at start; empty for clear text
     * @param h2c             HTTP/2 in clear text too
     * @param originTransport how the origin is spoken to
     */
    record Loaded(Optional<CertificateSource> source, Optional<ServerCertificate> certificate, boolean h2c,
                  OriginTransport originTransport) {

        /** Clear-text HTTP/1.1, and the default transport to the origin. */
        static final Loaded NONE = new Loaded(Optional.empty(), Optional.empty(), false, OriginTransport.DEFAULT);
    }

    private static boolean isHttps(URI backend) {
        return "https".equalsIgnoreCase(backend.getScheme());
    }

    /** Whether the proxy serves HTTPS. */
    boolean servesTls() {
        return certificate.isPresent() || keyStore.isPresent();
    }

    /**
     * Where the proxy's certificate comes from, if it serves HTTPS; {@code environment} gives the key
     * store's password.
     */
    Optional<CertificateSource> certificateSource(Function<String, String> environment) {
        if (keyStore.isPresent()) {
            String password = Optional.ofNullable(environment.apply(PASSWORD_VARIABLE)).orElse("");
            Path file = keyStore.get();
            return Optional.of(new CertificateSource(List.of(file), () -> ServerCertificate.fromPkcs12(file, password, PASSWORD_VARIABLE)));
        }
        if (certificate.isPresent()) {
            Path chain = certificate.get();
            Path privateKey = key.orElseThrow();
            return Optional.of(new CertificateSource(List.of(chain, privateKey), () -> ServerCertificate.fromPem(chain, privateKey)));
        }
        return Optional.empty();
    }

    /** Collects the flags as they come, then checks them together. */
    static final class Builder {
        private Optional<Path> certificate = Optional.empty();
        private Optional<Path> key = Optional.empty();
        private Optional<Path> keyStore = Optional.empty();
        private boolean h2c;
        private Optional<Path> originCa = Optional.empty();
        private boolean originInsecure;
        private OriginTransport.Protocol originProtocol = OriginTransport.Protocol.HTTP_1_1;

        /**
         * Takes one of these flags with its value ({@code ""} for {@code --h2c} and {@code --origin-insecure}).
         *
         * @throws IllegalArgumentException for a bad value or another flag
         */
        void accept(String flag, String value) {
            switch (flag) {
                case "--tls-cert" -> certificate = Optional.of(path(flag, value));
                case "--tls-key" -> key = Optional.of(path(flag, value));
                case "--keystore" -> keyStore = Optional.of(path(flag, value));
                case "--h2c" -> h2c = true;
                case "--origin-ca" -> originCa = Optional.of(path(flag, value));
                case "--origin-insecure" -> originInsecure = true;
                case "--origin-protocol" -> originProtocol = protocol(value);
                default -> throw new IllegalArgumentException("unknown flag " + flag + " (see --help)");
            }
        }

        /** The flags, checked against each other and every backend ({@code http://} for the demo origin). */
        TlsFlags build(List<URI> backends) {
            if (certificate.isPresent() != key.isPresent()) {
                throw new IllegalArgumentException(certificate.isPresent() ? "--tls-cert needs --tls-key" : "--tls-key needs --tls-cert");
            }
            if (keyStore.isPresent() && certificate.isPresent()) {
                throw new IllegalArgumentException("give either --keystore or --tls-cert and --tls-key, not both");
            }
            if (h2c && (keyStore.isPresent() || certificate.isPresent())) {
                throw new IllegalArgumentException("--h2c is HTTP/2 without TLS; with a certificate, HTTP/2 is offered by ALPN already");
            }
            if (originInsecure && originCa.isPresent()) {
                throw new IllegalArgumentException("give either --origin-ca or --origin-insecure, not both");
            }
            boolean anyHttps = backends.stream().anyMatch(TlsFlags::isHttps);
            boolean allHttps = backends.stream().allMatch(TlsFlags::isHttps);
            if ((originInsecure || originCa.isPresent()) && !anyHttps) {
                throw new IllegalArgumentException((originInsecure ? "--origin-insecure" : "--origin-ca") + " needs an https:// --origin");
            }
            if (originProtocol == OriginTransport.Protocol.H2 && !allHttps) {
                throw new IllegalArgumentException("--origin-protocol h2 needs https:// origins only (h2c is HTTP/2 without TLS)");
            }
            if (originProtocol == OriginTransport.Protocol.H2C && anyHttps) {
                throw new IllegalArgumentException("--origin-protocol h2c needs http:// origins only (h2 is HTTP/2 over TLS)");
            }
            return new TlsFlags(certificate, key, keyStore, h2c, originCa, originInsecure, originProtocol);
        }

        private static Path path(String flag, String text) {
            try {
                return Path.of(text);
            } catch (InvalidPathException invalid) {
                throw new IllegalArgumentException(flag + " " + text + " is not a valid path");
            }
        }

        private static OriginTransport.Protocol protocol(String text) {
            try {
                return OriginTransport.Protocol.fromToken(text);
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException("--origin-protocol must be h2, h2c or http/1.1, got " + text);
            }
        }
    }

    /**
     * The files a certificate is read from, and how: read again when they change on disk.
     *
     * @param files  the files to watch
     * @param reader reads and checks them; throws {@link IllegalArgumentException} with a one-line reason
     */
    record CertificateSource(List<Path> files, java.util.function.Supplier<ServerCertificate> reader) {

        /** Reads the certificate and key now. */
        ServerCertificate read() {
            return reader.get();
        }
    }
}
