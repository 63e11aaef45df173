package dev.cacheproxy.jetty;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Certificates made while the tests run, so that no key is ever committed: a certificate authority,
 * and certificates it issues for DNS names and IP addresses, as objects, PEM files or PKCS#12 stores.
 */
public final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    /** The kind of key a certificate is made for. */
    public enum KeyType { RSA, EC }

    /** How a private key is written in PEM. */
    public enum KeyFormat {
        /** {@code BEGIN RSA PRIVATE KEY} (RSA) or {@code BEGIN EC PRIVATE KEY} (SEC 1), as {@code openssl} 1.x wrote them. */
        TRADITIONAL,
        /** {@code BEGIN PRIVATE KEY}, PKCS#8, as {@code openssl} 3 writes them. */
        PKCS8
    }

    /** A certificate (with its issuer after it) and its private key. */
    public record Issued(List<X509Certificate> chain, PrivateKey key) {

        /** The leaf certificate. */
        public X509Certificate certificate() {
            return chain.get(0);
        }

        /** Writes the chain, leaf first, as PEM. */
        public Path writeChainPem(Path file) {
            return writePem(file, chain.toArray());
        }

        /** Writes the private key as PEM in this format. */
        public Path writeKeyPem(Path file, KeyFormat format) {
            try {
                if (format == KeyFormat.PKCS8) {
                    return writePem(file, new JcaPKCS8Generator(key, null).generate());
                }
                if (key.getAlgorithm().equals("EC")) {
                    // As openssl writes it: SEC 1 with the curve and the public key inside (the JDK's own
                    // encoding keeps the curve outside, which a BEGIN EC PRIVATE KEY block cannot carry).
                    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                    org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
                    org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                            SubjectPublicKeyInfo.getInstance(certificate().getPublicKey().getEncoded()).getPublicKeyData(),
                            info.getPrivateKeyAlgorithm().getParameters());
                    return writePem(file, new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
                }
                return writePem(file, key); // BEGIN RSA PRIVATE KEY: PKCS#1
            } catch (IOException unwritable) {
                throw new UncheckedIOException(unwritable);
            }
        }

        /** The chain and key in a PKCS#12 key store under the alias {@code server}. */
        public KeyStore keyStore(char[] password) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
                return store;
            } catch (IOException | GeneralSecurityException impossible) {
                throw new IllegalStateException(impossible);
            }
        }

        /** Writes the PKCS#12 key store to a file. */
        public Path writePkcs12(Path file, char[] password) {
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore(password).store(out, password);
                return file;
            } catch (IOException | GeneralSecurityException unwritable) {
                throw new IllegalStateException(unwritable);
            }
        }

        /** Jetty's server-side TLS with this certificate, TLS 1.2 and 1.3, not yet started. */
        public SslContextFactory.Server serverTls() {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStore(keyStore("test".toCharArray()));
            tls.setKeyStorePassword("test");
            tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            return tls;
        }
    }

    private final Issued authority;

    private TestCertificates(Issued authority) {
        this.authority = authority;
    }

    /** A new certificate authority with an EC key, valid from an hour ago for a day. */
    public static TestCertificates newAuthority(String name) {
        KeyPair keys = keyPair(KeyType.EC);
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return new TestCertificates(new Issued(List.of(sign(builder, keys.getPrivate())), keys.getPrivate()));
    }

    /** The authority's own certificate, to trust. */
    public X509Certificate certificate() {
        return authority.certificate();
    }

    /** Writes the authority's certificate as PEM, for a trust bundle. */
    public Path writeCertificatePem(Path file) {
        return writePem(file, authority.certificate());
    }

    /** A certificate for these names (DNS names, or IP addresses in dotted or colon form), valid now for a day. */
    public Issued issue(KeyType keyType, String... names) {
        Instant now = Instant.now();
        return issue(keyType, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), names);
    }

    /** A certificate for these names valid between these instants. */
    public Issued issue(KeyType keyType, Instant notBefore, Instant notAfter, String... names) {
        KeyPair keys = keyPair(keyType);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(authority.certificate().getSubjectX500Principal().getEncoded()), serial(), Date.from(notBefore), Date.from(notAfter),
                new X500Name("CN=" + names[0]), keys.getPublic());
        GeneralName[] alternatives = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            alternatives[i] = new GeneralName(isAddress(names[i]) ? GeneralName.iPAddress : GeneralName.dNSName, names[i]);
        }
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return new Issued(List.of(sign(builder, authority.key()), authority.certificate()), keys.getPrivate());
    }

    /** A client's TLS that trusts this authority only, with host names checked. */
    public SslContextFactory.Client clientTls() {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setTrustStore(trustStore());
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        return tls;
    }

    /** A trust store holding this authority. */
    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("authority", authority.certificate());
            return store;
        } catch (IOException | GeneralSecurityException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static boolean isAddress(String name) {
        return name.contains(":") || name.matches("[0-9.]+");
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static KeyPair keyPair(KeyType type) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type.name());
            if (type == KeyType.EC) {
                generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            } else {
                generator.initialize(2048, new SecureRandom());
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) {
        String algorithm = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
        } catch (OperatorCreationException | GeneralSecurityException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static Path writePem(Path file, Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                pem.writeObject(object);
            }
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        try {
            return Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
        } catch (IOException unwritable) {
            throw new UncheckedIOException(unwritable);
        }
    }
}
