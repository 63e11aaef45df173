package dev.cacheproxy.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * RFC 8941 §4.2.2: whether a field value parses as a structured-field Dictionary, the syntax of the
 * RFC 9213 targeted cache-control fields, and the type of each member's value. {@link CacheControl}
 * reads the directives themselves.
 */
final class StructuredDictionary {

    /** The type of a member's value (RFC 8941 §3.3); a member without {@code =} is a Boolean true. */
    enum Type { INTEGER, DECIMAL, STRING, TOKEN, BYTE_SEQUENCE, BOOLEAN, INNER_LIST }

    private final String text;
    /** A member's value: its type, and its text (a string's content unescaped, a boolean {@code ?0} or {@code ?1}). */
    record Member(Type type, String value) {
        /** Whether this is the Boolean false, which means the directive is absent. */
        boolean isFalse() {
            return type == Type.BOOLEAN && value.equals("?0");
        }
    }

    private final Map<String, Member> members = new LinkedHashMap<>();
    private int position;

    private StructuredDictionary(String text) {
        this.text = text;
    }

    /** Whether the whole value is a valid dictionary; an empty value is an empty dictionary. */
    static boolean isValid(String value) {
        return members(value).isPresent();
    }

    /**
     * Each member by key, the last one winning for a repeated key (§4.2.2), parameters left out; empty
     * when the value is not a valid dictionary.
     */
    static Optional<Map<String, Member>> members(String value) {
        StructuredDictionary parser = new StructuredDictionary(value);
        try {
            parser.dictionary();
            return Optional.of(parser.members);
        } catch (IllegalArgumentException invalid) {
            return Optional.empty();
        }
    }

    private void dictionary() {
        skipSpaces();
        while (position < text.length()) {
            int keyStart = position;
            key();
            String name = text.substring(keyStart, position);
            Member member = new Member(Type.BOOLEAN, "?1");
            if (peek() == '=') {
                position++;
                int valueStart = position;
                Type type;
                if (peek() == '(') {
                    innerList();
                    type = Type.INNER_LIST;
                } else {
                    type = bareItem();
                }
                String raw = text.substring(valueStart, position);
                member = new Member(type, type == Type.STRING ? unescape(raw) : raw);
            }
            members.remove(name); // the last occurrence wins, in its own place
            members.put(name, member);
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

    private Type bareItem() {
        char c = peek();
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        } else if (c == '"') {
            string();
            return Type.STRING;
        } else if (c == ':') {
            byteSequence();
            return Type.BYTE_SEQUENCE;
        } else if (c == '?') {
            position++;
            char bool = peek();
            if (bool != '0' && bool != '1') {
                throw new IllegalArgumentException("bad boolean");
            }
            position++;
            return Type.BOOLEAN;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*') {
            token();
            return Type.TOKEN;
        }
        throw new IllegalArgumentException("not an item");
    }

    private Type number() {
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
            return Type.DECIMAL;
        } else if (integerDigits > 15) {
            throw new IllegalArgumentException("integer too long");
        }
        return Type.INTEGER;
    }

    private int digits() {
        int start = position;
        while (position < text.length() && Character.isDigit(text.charAt(position)) && text.charAt(position) < 128) {
            position++;
        }
        return position - start;
    }

    /** The content of a valid sf-string: without its quotes, escapes resolved. */
    private static String unescape(String quoted) {
        StringBuilder content = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            content.append(c == '\\' ? quoted.charAt(++i) : c);
        }
        return content.toString();
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
