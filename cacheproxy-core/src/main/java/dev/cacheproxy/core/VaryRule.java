package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * RFC 9111 §4.1: which stored variant a request selects. A response's {@code Vary} nominates request
 * fields; a stored response is reused only for requests whose nominated fields match those of the
 * request that produced it. Values are normalised (lines combined, white space around commas folded,
 * RFC 9110 §5.3) so that semantically equal requests select the same variant.
 */
final class VaryRule {

    /** Separates the parts of a variant key; a control character no field value may hold. */
    private static final char SEPARATOR = '\u0001';
    private static final String ABSENT = "\u0002";

    private VaryRule() {
    }

    /** The field names a response's {@code Vary} lists, lower case; {@code "*"} stays {@code "*"}. */
    static List<String> nominatedFields(HeaderFields responseHeaders) {
        TreeSet<String> names = new TreeSet<>();
        for (String line : responseHeaders.values("Vary")) {
            for (String name : line.split(",")) {
                String trimmed = name.strip();
                if (!trimmed.isEmpty()) {
                    names.add(trimmed.toLowerCase(Locale.ROOT));
                }
            }
        }
        return new ArrayList<>(names);
    }

    /** Whether the response's {@code Vary} contains {@code *}: it never matches any request (§4.1). */
    static boolean variesOnEverything(HeaderFields responseHeaders) {
        return nominatedFields(responseHeaders).contains("*");
    }

    /**
     * The variant key of a request for a response with these headers: the normalised values of the
     * request fields its {@code Vary} nominates. Empty when {@code Vary} has {@code *}.
     */
    static Optional<String> variantKey(HeaderFields responseHeaders, HeaderFields requestHeaders) {
        List<String> fields = nominatedFields(responseHeaders);
        if (fields.contains("*")) {
            return Optional.empty();
        }
        StringBuilder key = new StringBuilder();
        for (String field : fields) {
            key.append(field).append('=');
            Optional<String> value = requestHeaders.combined(field);
            key.append(value.map(VaryRule::normalise).orElse(ABSENT)).append(SEPARATOR);
        }
        return Optional.of(key.toString());
    }

    /** Folds the white space around list commas and runs of white space, so that equal lists compare equal. */
    static String normalise(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (String element : value.split(",")) {
            String trimmed = element.strip().replaceAll("[ \t]+", " ");
            if (trimmed.isEmpty()) {
                continue;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(trimmed);
        }
        return out.toString();
    }
}
