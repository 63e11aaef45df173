package dev.cacheproxy.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The proxy's own certificate chain and private key, read from PEM files or a PKCS#12 key store and
 * checked to belong together, as an in-memory key store for Jetty. Every problem is an
 * {@link IllegalArgumentException} whose message is a one-line reason naming the file.
 *
 * @param keyStore the chain and key under the alias {@code server}
 * @param password the key store's and the key's password
 * @param leaf     the certificate clients see
 */
record ServerCertificate(KeyStore keyStore, String password, X509Certificate leaf) {

    static final String ALIAS = "server";

    /**
     * Reads a PEM certificate chain (leaf first) and a PEM private key: PKCS#8 ({@code BEGIN PRIVATE KEY}),
     * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC 1 ({@code BEGIN EC PRIVATE KEY}), unencrypted.
     */
    static ServerCertificate fromPem(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = readCertificates(certificateFile);
        PrivateKey key = readPrivateKey(keyFile);
        checkPair(chain.get(0), key, "the key in " + keyFile + " does not match the certificate in " + certificateFile);
        String password = randomPassword();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password.toCharArray(), chain.toArray(new X509Certificate[0]));
            return new ServerCertificate(store, password, chain.get(0));
        } catch (IOException | GeneralSecurityException cannotStore) {
            throw new IllegalArgumentException("cannot use the key in " + keyFile + ": " + oneLine(cannotStore), cannotStore);
        }
    }

    /** Reads a PKCS#12 key store holding one private key and its chain; the password may be empty. */
    static ServerCertificate fromPkcs12(Path file, String password, String passwordVariable) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
        } catch (NoSuchFileException missing) {
            throw new IllegalArgumentException("--keystore " + file + " does not exist", missing);
        } catch (IOException | GeneralSecurityException unreadable) {
            boolean badPassword = unreadable.getCause() instanceof UnrecoverableKeyException
                    || String.valueOf(unreadable.getMessage()).contains("password");
            throw new IllegalArgumentException("cannot read the PKCS#12 key store " + file + ": "
                    + (badPassword ? "wrong password (set it in the environment variable " + passwordVariable + ")" : oneLine(unreadable)),
                    unreadable);
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Key key = store.getKey(alias, password.toCharArray());
                Certificate[] chain = store.getCertificateChain(alias);
                if (!(key instanceof PrivateKey privateKey) || chain == null || chain.length == 0
                        || !(chain[0] instanceof X509Certificate leaf)) {
                    continue;
                }
                checkPair(leaf, privateKey, "the key in " + file + " does not match its certificate");
                KeyStore single = KeyStore.getInstance("PKCS12");
                single.load(null, null);
                single.setKeyEntry(ALIAS, privateKey, password.toCharArray(), chain);
                return new ServerCertificate(single, password, leaf);
            }
        } catch (IOException | GeneralSecurityException unreadable) {
            throw new IllegalArgumentException("cannot read the key in " + file + ": " + oneLine(unreadable), unreadable);
        }
        throw new IllegalArgumentException("the PKCS#12 key store " + file + " holds no private key with a certificate");
    }

    private static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) certificate);
            }
        } catch (NoSuchFileException missing) {
            throw new IllegalArgumentException("--tls-cert " + file + " does not exist", missing);
        } catch (IOException | GeneralSecurityException unreadable) {
            throw new IllegalArgumentException("cannot read a PEM certificate from " + file + ": " + oneLine(unreadable), unreadable);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no PEM certificate in " + file);
        }
        return chain;
    }

    private static PrivateKey readPrivateKey(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = pem.readObject(); object != null; object = pem.readObject()) {
                // An EC key from "openssl ecparam -genkey" comes after an EC PARAMETERS block: skip such blocks.
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalArgumentException("the key in " + file + " is encrypted; give it unencrypted "
                            + "(openssl pkey -in KEY -out PLAIN), readable by this user only");
                }
            }
        } catch (NoSuchFileException missing) {
            throw new IllegalArgumentException("--tls-key " + file + " does not exist", missing);
        } catch (IOException | RuntimeException unreadable) {
            if (unreadable instanceof IllegalArgumentException reason && reason.getMessage().startsWith("the key in")) {
                throw reason;
            }
            throw new IllegalArgumentException("cannot read a PEM private key from " + file + ": " + oneLine(unreadable), unreadable);
        }
        throw new IllegalArgumentException("no PEM private key in " + file);
    }

    /** Signs with the key and verifies with the certificate: the one check that works for every key type. */
    private static void checkPair(X509Certificate certificate, PrivateKey key, String mismatch) {
        PublicKey publicKey = certificate.getPublicKey();
        if (!publicKey.getAlgorithm().equals(key.getAlgorithm())) {
            throw new IllegalArgumentException(mismatch + " (a " + key.getAlgorithm() + " key for a " + publicKey.getAlgorithm() + " certificate)");
        }
        Optional<String> algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> Optional.of("SHA256withRSA");
            case "EC" -> Optional.of("SHA256withECDSA");
            case "Ed25519", "Ed448", "EdDSA" -> Optional.of(key.getAlgorithm());
            default -> Optional.empty();
        };
        if (algorithm.isEmpty()) {
            return; // an unusual key type: TLS itself will tell
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm.get());
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.get());
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException(mismatch);
            }
        } catch (GeneralSecurityException unusable) {
            throw new IllegalArgumentException(mismatch + ": " + oneLine(unusable), unusable);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static String oneLine(Exception failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return message.lines().findFirst().orElse("");
    }
}
