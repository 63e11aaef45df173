package dev.cacheproxy.api;

import java.util.Locale;
import java.util.Objects;

/**
 * One header field line: a name and its value as received (not split on commas).
 *
 * @param name  the field name, a non-empty RFC 9110 token; compared case-insensitively
 * @param value the field value, without CR, LF or NUL; leading and trailing white space removed
 */
public record HeaderField(String name, String value) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param name  the field name, a non-empty RFC 9110 token; compared case-insensitively
     * @param value the field value, without CR, LF or NUL; leading and trailing white space removed
     */
    public HeaderField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!isToken(name)) {
            throw new IllegalArgumentException("not a valid header field name: \"" + name + "\"");
        }
        // RFC 9110 §5.5: CR, LF and NUL are never valid in a field value.
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException("header field " + name + " has a CR, LF or NUL in its value");
            }
        }
        value = value.strip();
    }

    /**
     * Whether this field has the given name, ignoring case.
     *
     * @param otherName a field name
     * @return {@code true} when the names are equal ignoring case
     */
    public boolean hasName(String otherName) {
        return name.equalsIgnoreCase(otherName);
    }

    /** {@return the name in lower case, the form used for comparisons and keys} */
    public String lowerCaseName() {
        return name.toLowerCase(Locale.ROOT);
    }

    /** RFC 9110 §5.6.2 tchar, as a table: every request and response header name goes through it. */
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (int c = 0; c < 128; c++) {
            TCHAR[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }

    /** Whether the text is a non-empty RFC 9110 §5.6.2 token. */
    static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!isTokenChar(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 §5.6.2 tchar. */
    static boolean isTokenChar(int c) {
        return c >= 0 && c < 128 && TCHAR[c];
    }
}
