package dev.cacheproxy.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The admin endpoint's secret, checked against an {@code Authorization: Bearer} field. Both sides are
 * hashed before a constant-time comparison, so the time taken reveals neither the token's characters
 * nor its length.
 */
final class BearerToken {

    private static final String SCHEME = "bearer ";

    private final byte[] expectedDigest;

    /** The shortest token accepted: a short secret is guessed, whatever the allowlist. */
    static final int MINIMUM_LENGTH = 16;

    BearerToken(String token) {
        if (token == null || token.isBlank() || !token.equals(token.strip())) {
            throw new IllegalArgumentException("an admin token must be non-empty, without spaces around it");
        }
        if (token.length() < MINIMUM_LENGTH) {
            throw new IllegalArgumentException("an admin token must be at least " + MINIMUM_LENGTH + " characters, got "
                    + token.length());
        }
        this.expectedDigest = sha256(token);
    }

    /** Whether this {@code Authorization} field value (null when absent) carries the token. */
    boolean isIn(String authorization) {
        if (authorization == null || authorization.length() < SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return false;
        }
        return MessageDigest.isEqual(expectedDigest, sha256(authorization.substring(SCHEME.length()).strip()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java platform has SHA-256", impossible);
        }
    }
}
