package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.jetty.TestCertificates;
import dev.cacheproxy.jetty.TestCertificates.KeyFormat;
import dev.cacheproxy.jetty.TestCertificates.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The proxy's certificate and key, from the files people have: PEM in its usual forms, or PKCS#12. */
final class ServerCertificateTest {

    private static final TestCertificates AUTHORITY = TestCertificates.newAuthority("example proxy test authority");

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"RSA, TRADITIONAL", "RSA, PKCS8", "EC, TRADITIONAL", "EC, PKCS8"})
    void aPemChainAndKeyInEachCommonFormatAreRead(KeyType type, KeyFormat format) throws Exception {
        TestCertificates.Issued issued = AUTHORITY.issue(type, "proxy.example");
        Path chain = issued.writeChainPem(dir.resolve("chain.pem"));
        Path key = issued.writeKeyPem(dir.resolve("key.pem"), format);

        ServerCertificate certificate = ServerCertificate.fromPem(chain, key);

        assertEquals(issued.certificate(), certificate.leaf());
        assertEquals(2, certificate.keyStore().getCertificateChain(ServerCertificate.ALIAS).length, "the chain is served whole");
        assertEquals(AUTHORITY.certificate(), (X509Certificate) certificate.keyStore().getCertificateChain(ServerCertificate.ALIAS)[1]);
        assertTrue(Files.readString(key).contains(format == KeyFormat.PKCS8 ? "BEGIN PRIVATE KEY"
                : type == KeyType.RSA ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY"), "the key file is in the format under test");
    }

    @ParameterizedTest
    @CsvSource({"RSA, RSA", "EC, EC", "RSA, EC"})
    void aKeyThatDoesNotMatchTheCertificateIsRefusedWithBothFilesNamed(KeyType certificateKey, KeyType otherKey) {
        Path chain = AUTHORITY.issue(certificateKey, "proxy.example").writeChainPem(dir.resolve("chain.pem"));
        Path key = AUTHORITY.issue(otherKey, "proxy.example").writeKeyPem(dir.resolve("other-key.pem"), KeyFormat.PKCS8);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ServerCertificate.fromPem(chain, key));

        assertTrue(refused.getMessage().startsWith("the key in " + key + " does not match the certificate in " + chain), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
    }

    @Test
    void filesThatAreMissingOrNotPemAreRefusedInOneLine() throws Exception {
        TestCertificates.Issued issued = AUTHORITY.issue(KeyType.EC, "proxy.example");
        Path chain = issued.writeChainPem(dir.resolve("chain.pem"));
        Path key = issued.writeKeyPem(dir.resolve("key.pem"), KeyFormat.PKCS8);
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello\n");

        assertRefused(() -> ServerCertificate.fromPem(dir.resolve("missing.pem"), key), "--tls-cert " + dir.resolve("missing.pem") + " does not exist");
        assertRefused(() -> ServerCertificate.fromPem(chain, dir.resolve("missing.pem")), "--tls-key " + dir.resolve("missing.pem") + " does not exist");
        assertRefused(() -> ServerCertificate.fromPem(garbage, key), "cannot read a PEM certificate from " + garbage);
        assertRefused(() -> ServerCertificate.fromPem(chain, garbage), "no PEM private key in " + garbage);
        assertRefused(() -> ServerCertificate.fromPem(key, key), "cannot read a PEM certificate from " + key);
    }

    @Test
    void aPkcs12KeyStoreIsReadWithItsPasswordAndRefusedWithAWrongOne() {
        TestCertificates.Issued issued = AUTHORITY.issue(KeyType.RSA, "proxy.example");
        Path store = issued.writePkcs12(dir.resolve("proxy.p12"), "s3cret".toCharArray());

        ServerCertificate certificate = ServerCertificate.fromPkcs12(store, "s3cret", "PASSWORD_VARIABLE");

        assertEquals(issued.certificate(), certificate.leaf());
        assertRefused(() -> ServerCertificate.fromPkcs12(store, "wrong", "PASSWORD_VARIABLE"),
                "cannot read the PKCS#12 key store " + store + ": wrong password (set it in the environment variable PASSWORD_VARIABLE)");
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable read, String reason) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, read);
        assertTrue(refused.getMessage().startsWith(reason), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count(), refused.getMessage());
    }
}
