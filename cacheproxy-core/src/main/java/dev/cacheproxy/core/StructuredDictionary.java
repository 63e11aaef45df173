package dev.cacheproxy.core;

/**
 * RFC 8941 §4.2.2: whether a field value parses as a structured-field Dictionary, the syntax of the
 * RFC 9213 targeted cache-control fields. Only validates; {@link CacheControl} reads the directives.
 */
final class StructuredDictionary {

    private final String text;
    private int position;

    private StructuredDictionary(String text) {
        this.text = text;
    }

    /** Whether the whole value is a valid dictionary; an empty value is an empty dictionary. */
    static boolean isValid(String value) {
        StructuredDictionary parser = new StructuredDictionary(value);
        try {
            parser.dictionary();
            return true;
        } catch (IllegalArgumentException invalid) {
            return false;
        }
    }

    private void dictionary() {
        skipSpaces();
        while (position < text.length()) {
            key();
            if (peek() == '=') {
                position++;
                if (peek() == '(') {
                    innerList();
                } else {
                    bareItem();
                }
            }
            parameters();
            skipOptionalWhitespace();
            if (position >= text.length()) {
                return;
            }
            expect(',');
            skipOptionalWhitespace();
            if (position >= text.length()) {
                throw new IllegalArgumentException("trailing comma");
            }
        }
    }

    private void innerList() {
        expect('(');
        while (true) {
            skipSpaces();
            if (peek() == ')') {
                position++;
                parameters();
                return;
            }
            bareItem();
            parameters();
            if (peek() != ' ' && peek() != ')') {
                throw new IllegalArgumentException("bad inner list");
            }
        }
    }

    private void parameters() {
        while (peek() == ';') {
            position++;
            skipSpaces();
            key();
            if (peek() == '=') {
                position++;
                bareItem();
            }
        }
    }

    private void key() {
        char first = peek();
        if (!(first >= 'a' && first <= 'z') && first != '*') {
            throw new IllegalArgumentException("a key starts with a lower-case letter or *");
        }
        while (position < text.length()) {
            char c = text.charAt(position);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') {
                position++;
            } else {
                return;
            }
        }
    }

    private void bareItem() {
        char c = peek();
        if (c == '-' || (c >= '0' && c <= '9')) {
            number();
        } else if (c == '"') {
            string();
        } else if (c == ':') {
            byteSequence();
        } else if (c == '?') {
            position++;
            char bool = peek();
            if (bool != '0' && bool != '1') {
                throw new IllegalArgumentException("bad boolean");
            }
            position++;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*') {
            token();
        } else {
            throw new IllegalArgumentException("not an item");
        }
    }

    private void number() {
        if (peek() == '-') {
            position++;
        }
        int integerDigits = digits();
        if (integerDigits == 0) {
            throw new IllegalArgumentException("a number needs digits");
        }
        if (peek() == '.') {
            position++;
            int fractionDigits = digits();
            if (integerDigits > 12 || fractionDigits == 0 || fractionDigits > 3) {
                throw new IllegalArgumentException("bad decimal");
            }
        } else if (integerDigits > 15) {
            throw new IllegalArgumentException("integer too long");
        }
    }

    private int digits() {
        int start = position;
        while (position < text.length() && Character.isDigit(text.charAt(position)) && text.charAt(position) < 128) {
            position++;
        }
        return position - start;
    }

    private void string() {
        position++;
        while (position < text.length()) {
            char c = text.charAt(position++);
            if (c == '\\') {
                if (position >= text.length() || (text.charAt(position) != '"' && text.charAt(position) != '\\')) {
                    throw new IllegalArgumentException("bad escape");
                }
                position++;
            } else if (c == '"') {
                return;
            } else if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("bad string character");
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }

    private void byteSequence() {
        position++;
        while (position < text.length()) {
            char c = text.charAt(position++);
            if (c == ':') {
                return;
            }
            if (!Character.isLetterOrDigit(c) && c != '+' && c != '/' && c != '=') {
                throw new IllegalArgumentException("bad byte sequence");
            }
        }
        throw new IllegalArgumentException("unterminated byte sequence");
    }

    private void token() {
        position++;
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~:/".indexOf(c) >= 0)) {
                position++;
            } else {
                return;
            }
        }
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new IllegalArgumentException("expected " + c);
        }
        position++;
    }

    private void skipSpaces() {
        while (peek() == ' ') {
            position++;
        }
    }

    private void skipOptionalWhitespace() {
        while (peek() == ' ' || peek() == '\t') {
            position++;
        }
    }
}
