package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import java.util.List;
import java.util.Optional;

/**
 * RFC 9213 §2.2: the response directives this cache obeys. The first targeted field (such as
 * {@code CDN-Cache-Control}) that is present and a valid structured-field dictionary replaces
 * {@code Cache-Control} and {@code Expires} for this cache; with none, {@code Cache-Control} applies.
 * Targeted fields are still passed on downstream, where another cache may be their target.
 *
 * @param directives the directives to obey
 * @param source     the field they came from, e.g. {@code Cache-Control} or {@code CDN-Cache-Control}
 */
record ResponseDirectives(CacheControl directives, String source) {

    /** The directives for a cache that obeys these targeted fields, in order of precedence. */
    static ResponseDirectives of(HeaderFields responseHeaders, List<String> targetedFields) {
        for (String field : targetedFields) {
            Optional<CacheControl> targeted = targeted(responseHeaders, field);
            if (targeted.isPresent()) {
                return new ResponseDirectives(targeted.get(), field);
            }
        }
        return new ResponseDirectives(CacheControl.ofResponse(responseHeaders), "Cache-Control");
    }

    /** Whether {@code Expires} counts: not when a targeted field took over (RFC 9213 §2.2). */
    boolean expiresApplies() {
        return source.equals("Cache-Control");
    }

    /** A targeted field's directives, when it is present and parses as a dictionary (RFC 8941 §4.2.2). */
    private static Optional<CacheControl> targeted(HeaderFields headers, String field) {
        List<String> lines = headers.values(field);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        String combined = String.join(", ", lines);
        if (!StructuredDictionary.isValid(combined)) {
            return Optional.empty();
        }
        return Optional.of(CacheControl.parse(headers, field));
    }
}
