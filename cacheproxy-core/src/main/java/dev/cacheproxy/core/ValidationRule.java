package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * RFC 9111 §4.3: conditional requests. §4.3.1: the validators a cache sends to check a stored
 * response; §4.3.2: answering a client's own conditional request from a stored response.
 */
final class ValidationRule {

    /** The precondition fields a cache replaces with its own when it validates (RFC 9110 §13.1). */
    static final List<String> CONDITIONAL_FIELDS = List.of("If-None-Match", "If-Modified-Since");

    /** What a validation never sends on: the client's own conditions and range (the cache wants the whole). */
    private static final List<String> VALIDATION_REMOVES = List.of(
            "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range");

    private ValidationRule() {
    }

    /**
     * §4.3.1: the client's request sent on as one that asks the origin whether this stored response is
     * still good, with the stored response's validators in place of the client's own conditions.
     */
    static ToOrigin request(RequestHead clientRequest, CacheKey key, StoredResponse stored, Instant now, CacheStatus status) {
        HeaderFields validators = validatorsFor(stored);
        List<String> removed = new ArrayList<>(VALIDATION_REMOVES);
        removed.removeIf(validators::contains);
        return new ToOrigin(clientRequest, key, validators, removed, Optional.of(stored), now, status);
    }

    /** The conditional fields that ask the origin whether this stored response is still good (§4.3.1). */
    static HeaderFields validatorsFor(StoredResponse stored) {
        return validatorsFor(stored.headers());
    }

    /** Whether a response with these fields has a validator the origin can check (§4.3.1). */
    static boolean hasValidator(HeaderFields responseHeaders) {
        return !validatorsFor(responseHeaders).isEmpty();
    }

    private static HeaderFields validatorsFor(HeaderFields responseHeaders) {
        HeaderFields.Builder validators = HeaderFields.builder();
        responseHeaders.combined("ETag").ifPresent(etag -> validators.add("If-None-Match", etag));
        responseHeaders.first("Last-Modified")
                .filter(value -> HttpDates.parse(value).isPresent())
                .ifPresent(lastModified -> validators.add("If-Modified-Since", lastModified));
        return validators.build();
    }

    /** Whether the stored response has a validator the origin can check. */
    static boolean hasValidator(StoredResponse stored) {
        return !validatorsFor(stored).isEmpty();
    }

    /** Whether the client's request carries a precondition this cache evaluates (§4.3.2). */
    static boolean isConditional(RequestHead request) {
        return request.headers().contains("If-None-Match") || request.headers().contains("If-Modified-Since");
    }

    /**
     * Whether a client's conditional request is satisfied by this stored response, so that the cache
     * answers 304 (§4.3.2). {@code If-None-Match} uses the weak comparison and takes precedence over
     * {@code If-Modified-Since} (RFC 9110 §13.2.2).
     */
    static boolean notModifiedFor(RequestHead request, StoredResponse stored) {
        if (stored.status() != 200) {
            return false;
        }
        HeaderFields requestHeaders = request.headers();
        Optional<String> ifNoneMatch = requestHeaders.combined("If-None-Match");
        if (ifNoneMatch.isPresent()) {
            // RFC 9110 §13.1.2: "*" matches any current representation, with an entity tag or without.
            if (ifNoneMatch.get().strip().equals("*")) {
                return true;
            }
            Optional<String> etag = stored.headers().first("ETag");
            return etag.isPresent() && anyWeaklyMatches(ifNoneMatch.get(), etag.get());
        }
        Optional<Instant> ifModifiedSince = requestHeaders.first("If-Modified-Since").flatMap(HttpDates::parse);
        if (ifModifiedSince.isEmpty()) {
            return false;
        }
        // RFC 9111 §4.3.2: Last-Modified, else Date, else when the response was received.
        Optional<Instant> lastModified = stored.headers().first("Last-Modified").flatMap(HttpDates::parse)
                .or(() -> FreshnessRule.dateValue(stored.headers()))
                .or(() -> Optional.of(stored.responseTime()));
        return lastModified.isPresent() && !lastModified.get().isAfter(ifModifiedSince.get());
    }

    /** RFC 9110 §13.1.2: {@code *} or any listed entity tag equal to the stored one, ignoring {@code W/}. */
    static boolean anyWeaklyMatches(String ifNoneMatch, String storedEtag) {
        if (ifNoneMatch.strip().equals("*")) {
            return true;
        }
        String stored = opaqueTag(storedEtag);
        for (String candidate : EntityTags.split(ifNoneMatch)) {
            if (opaqueTag(candidate).equals(stored)) {
                return true;
            }
        }
        return false;
    }

    /** Whether both tags are strong and equal (RFC 9110 §8.8.3.2 strong comparison). */
    static boolean stronglyMatches(String a, String b) {
        return !a.strip().startsWith("W/") && !b.strip().startsWith("W/") && a.strip().equals(b.strip());
    }

    private static String opaqueTag(String etag) {
        String trimmed = etag.strip();
        return trimmed.startsWith("W/") ? trimmed.substring(2) : trimmed;
    }

    /** Splits an entity-tag list (RFC 9110 §8.8.3), where commas may appear inside quoted tags. */
    static final class EntityTags {
        private EntityTags() {
        }

        static List<String> split(String list) {
            ArrayList<String> tags = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < list.length(); i++) {
                char c = list.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                }
                if (c == ',' && !quoted) {
                    addTag(tags, current);
                    current.setLength(0);
                } else {
                    current.append(c);
                }
            }
            addTag(tags, current);
            return tags;
        }

        private static void addTag(List<String> tags, StringBuilder tag) {
            String trimmed = tag.toString().strip();
            if (!trimmed.isEmpty()) {
                tags.add(trimmed);
            }
        }
    }
}
