package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The directives of a {@code Cache-Control} field (RFC 9111 §5.2), parsed from all its lines.
 *
 * <p>Directive names are case-insensitive; values may be tokens or quoted strings. Unknown directives
 * are kept but mean nothing here. Where a directive occurs twice with different values it is listed in
 * {@link #conflicting()}, so that freshness rules can treat the response as stale (RFC 9111 §4.2.1).
 */
record CacheControl(Map<String, String> directives, Set<String> conflicting) {

    /** RFC 9111 §1.2.2: delta-seconds too large to represent are taken as 2^31 seconds. */
    static final long DELTA_SECONDS_CAP = 2_147_483_648L;

    /** The value of a directive given without {@code =}. */
    private static final String NO_VALUE = "";

    static final CacheControl NONE = new CacheControl(Map.of(), Set.of());

    CacheControl {
        directives = Collections.unmodifiableMap(new LinkedHashMap<>(directives));
        conflicting = Set.copyOf(conflicting);
    }

    /** A stored response's Cache-Control is the same line hit after hit: parse each line once. */
    private static final BoundedMemo<String, CacheControl> ONE_LINE = new BoundedMemo<>(4096, line -> parse(List.of(line)));

    /** The directives of every line of the named field (e.g. {@code Cache-Control}, {@code CDN-Cache-Control}). */
    static CacheControl parse(HeaderFields headers, String fieldName) {
        List<String> lines = headers.values(fieldName);
        if (lines.isEmpty()) {
            return NONE;
        }
        return lines.size() == 1 ? ONE_LINE.apply(lines.get(0)) : parse(lines);
    }

    private static CacheControl parse(List<String> lines) {
        Map<String, String> directives = new LinkedHashMap<>();
        Set<String> conflicting = new HashSet<>();
        for (String line : lines) {
            new Tokenizer(line).forEachDirective((name, value) -> {
                String previous = directives.putIfAbsent(name, value);
                if (previous != null && !previous.equals(value)) {
                    conflicting.add(name);
                }
            });
        }
        return new CacheControl(directives, conflicting);
    }

    /**
     * The request's directives; a request with no {@code Cache-Control} but {@code Pragma: no-cache}
     * is read as {@code no-cache} (RFC 9111 §5.4).
     */
    static CacheControl ofRequest(HeaderFields requestHeaders) {
        if (!requestHeaders.contains("Cache-Control")) {
            for (String pragma : requestHeaders.values("Pragma")) {
                for (String element : pragma.split(",")) {
                    if (element.strip().equalsIgnoreCase("no-cache")) {
                        return new CacheControl(Map.of("no-cache", NO_VALUE), Set.of());
                    }
                }
            }
            return NONE;
        }
        return parse(requestHeaders, "Cache-Control");
    }

    /** The response's {@code Cache-Control} directives. */
    static CacheControl ofResponse(HeaderFields responseHeaders) {
        return parse(responseHeaders, "Cache-Control");
    }

    /** These directives without the named ones. */
    CacheControl without(String... names) {
        Map<String, String> kept = new LinkedHashMap<>(directives);
        for (String name : names) {
            kept.remove(name);
        }
        return new CacheControl(kept, conflicting);
    }

    /** These directives with one more, or another value for it; an empty value means none. */
    CacheControl with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(directives);
        more.put(name, value);
        Set<String> stillConflicting = new HashSet<>(conflicting);
        stillConflicting.remove(name);
        return new CacheControl(more, stillConflicting);
    }

    /** The directives as one field value, e.g. {@code public, max-age=60, no-cache="Set-Cookie"}. */
    String toFieldValue() {
        StringBuilder value = new StringBuilder();
        directives.forEach((name, argument) -> {
            if (value.length() > 0) {
                value.append(", ");
            }
            value.append(name);
            if (!argument.isEmpty()) {
                boolean token = argument.chars().allMatch(c -> c < 0x7f && c > 0x20 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0);
                value.append('=');
                if (token) {
                    value.append(argument);
                } else {
                    value.append('"').append(argument.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                }
            }
        });
        return value.toString();
    }

    /** Whether the directive is present, with or without a value. */
    boolean has(String directive) {
        return directives.containsKey(directive);
    }

    /** Whether there are no directives at all. */
    boolean isEmpty() {
        return directives.isEmpty();
    }

    /** The directive's argument, unquoted; empty when absent or given without one. */
    Optional<String> argument(String directive) {
        String value = directives.get(directive);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** Outcome of reading a delta-seconds directive such as {@code max-age}. */
    enum Seconds { ABSENT, VALID, INVALID }

    /** Whether the directive holds valid delta-seconds (absent, valid, or present but unusable). */
    Seconds secondsState(String directive) {
        if (!has(directive)) {
            return Seconds.ABSENT;
        }
        return conflicting.contains(directive) || parseDeltaSeconds(directives.get(directive)).isEmpty()
                ? Seconds.INVALID : Seconds.VALID;
    }

    /** The directive's delta-seconds value when present and valid. */
    Optional<Duration> seconds(String directive) {
        if (secondsState(directive) != Seconds.VALID) {
            return Optional.empty();
        }
        return parseDeltaSeconds(directives.get(directive)).map(Duration::ofSeconds);
    }

    /**
     * The field names a qualified directive lists, e.g. {@code no-cache="Set-Cookie, X-Foo"}, in lower case;
     * empty for the unqualified form.
     */
    Set<String> fieldNames(String directive) {
        Optional<String> argument = argument(directive);
        if (argument.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        for (String name : argument.get().split(",")) {
            String trimmed = name.strip();
            if (!trimmed.isEmpty()) {
                names.add(trimmed.toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** RFC 9111 §1.2.2 delta-seconds: one or more digits, capped at 2^31; anything else is invalid. */
    static Optional<Long> parseDeltaSeconds(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        if (text.length() > 10) {
            return Optional.of(DELTA_SECONDS_CAP);
        }
        return Optional.of(Math.min(Long.parseLong(text), DELTA_SECONDS_CAP));
    }

    /** Splits one field line into directives, honouring quoted strings (RFC 9110 §5.6.4). */
    private static final class Tokenizer {
        private final String line;
        private int position;

        Tokenizer(String line) {
            this.line = line;
        }

        interface DirectiveConsumer {
            void accept(String name, String value);
        }

        void forEachDirective(DirectiveConsumer consumer) {
            while (position < line.length()) {
                skipWhitespaceAndCommas();
                if (position >= line.length()) {
                    return;
                }
                String name = readUntil("=,").strip().toLowerCase(Locale.ROOT);
                String value = NO_VALUE;
                if (position < line.length() && line.charAt(position) == '=') {
                    position++;
                    skipWhitespace();
                    value = position < line.length() && line.charAt(position) == '"' ? readQuoted() : readUntil(",").strip();
                    skipUntilComma();
                }
                if (!name.isEmpty() && !name.contains(" ")) {
                    consumer.accept(name, value);
                }
            }
        }

        private String readUntil(String stops) {
            int start = position;
            while (position < line.length() && stops.indexOf(line.charAt(position)) < 0) {
                position++;
            }
            return line.substring(start, position);
        }

        private String readQuoted() {
            StringBuilder value = new StringBuilder();
            position++; // opening quote
            while (position < line.length()) {
                char c = line.charAt(position++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\' && position < line.length()) {
                    c = line.charAt(position++);
                }
                value.append(c);
            }
            return value.toString(); // unterminated: take what there is
        }

        private void skipUntilComma() {
            while (position < line.length() && line.charAt(position) != ',') {
                position++;
            }
        }

        private void skipWhitespace() {
            while (position < line.length() && (line.charAt(position) == ' ' || line.charAt(position) == '\t')) {
                position++;
            }
        }

        private void skipWhitespaceAndCommas() {
            while (position < line.length()) {
                char c = line.charAt(position);
                if (c != ' ' && c != '\t' && c != ',') {
                    return;
                }
                position++;
            }
        }
    }

    /** The directive names in order, for diagnostics. */
    List<String> names() {
        return new ArrayList<>(directives.keySet());
    }
}
