package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.util.Optional;
import java.util.Set;

/**
 * RFC 9111 §4.3.4 (which stored response a 304 refers to) and §3.2 (updating its header fields).
 */
final class NotModifiedRule {

    /**
     * Fields a 304 never replaces in the stored response: the body's own framing and coding (§3.2), and
     * the fields §3.1 keeps out of storage.
     */
    private static final Set<String> KEPT_FROM_STORED = Set.of("content-length", "content-encoding", "transfer-encoding", "content-range");

    private NotModifiedRule() {
    }

    /**
     * Whether a 304 refers to this stored response (§4.3.4): its strong validator matches, or its
     * {@code Last-Modified} matches when there is no entity tag, or it has no validator at all and the
     * stored response was the one validated.
     */
    static boolean refersTo(ResponseHead notModified, StoredResponse stored) {
        Optional<String> newEtag = notModified.headers().first("ETag");
        Optional<String> storedEtag = stored.headers().first("ETag");
        if (newEtag.isPresent()) {
            return storedEtag.isPresent() && stripWeak(newEtag.get()).equals(stripWeak(storedEtag.get()));
        }
        Optional<String> newLastModified = notModified.headers().first("Last-Modified");
        if (newLastModified.isPresent()) {
            Optional<String> storedLastModified = stored.headers().first("Last-Modified");
            return storedLastModified.isPresent()
                    && HttpDates.parse(newLastModified.get()).equals(HttpDates.parse(storedLastModified.get()));
        }
        return true;
    }

    /** The stored head with each field of the 304 replacing the stored field of that name (§3.2). */
    static ResponseHead merge(ResponseHead storedHead, ResponseHead notModified) {
        HeaderFields fresh = StoredFieldsRule.toStore(notModified.headers());
        HeaderFields.Builder merged = storedHead.headers().toBuilder();
        for (String name : fresh.names()) {
            if (!KEPT_FROM_STORED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                merged.remove(name);
            }
        }
        for (HeaderField line : fresh.lines()) {
            if (!KEPT_FROM_STORED.contains(line.lowerCaseName())) {
                merged.add(line.name(), line.value());
            }
        }
        return storedHead.withHeaders(merged.build());
    }

    private static String stripWeak(String etag) {
        String trimmed = etag.strip();
        return trimmed.startsWith("W/") ? trimmed.substring(2) : trimmed;
    }
}
