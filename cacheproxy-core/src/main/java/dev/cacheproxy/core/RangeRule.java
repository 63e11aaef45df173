package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * RFC 9110 §14: answering a {@code Range} request from a stored complete response (RFC 9111 §3.4 lets
 * a cache do so). One byte range is served as a 206; several ranges, an invalid {@code Range}, or an
 * {@code If-Range} that no longer matches get the whole response, as a server may always do (§14.2).
 */
final class RangeRule {

    private static final Whole WHOLE = new Whole();

    private RangeRule() {
    }

    /** What to send for a request's {@code Range}. */
    sealed interface Outcome {
    }

    /** Send the whole stored response: no usable range was asked for. */
    record Whole() implements Outcome {
    }

    /** Send bytes {@code first} to {@code last} inclusive, as a 206 with {@code Content-Range}. */
    record Part(long first, long last, long completeLength) implements Outcome {
        String contentRange() {
            return "bytes " + first + "-" + last + "/" + completeLength;
        }
    }

    /** No requested byte is in the body: 416 with {@code Content-Range: bytes *}{@code /length} (§15.5.17). */
    record Unsatisfiable(long completeLength) implements Outcome {
        String contentRange() {
            return "bytes */" + completeLength;
        }
    }

    /** What to send for this request from this stored response, whose body has {@code length} bytes. */
    static Outcome decide(RequestHead request, StoredResponse stored, long length) {
        HeaderFields headers = request.headers();
        if (!headers.contains("Range")) {
            return WHOLE;
        }
        Optional<String> range = headers.combined("Range");
        if (range.isEmpty() || stored.status() != 200 || !request.isMethod("GET")) {
            return new Whole();
        }
        if (headers.contains("If-Range") && !ifRangeHolds(headers.combined("If-Range").orElseThrow(), stored)) {
            return new Whole();
        }
        return parse(range.get(), length);
    }

    /** Parses a {@code bytes} range set of one range (§14.1.1); anything else means "the whole". */
    static Outcome parse(String range, long length) {
        String value = range.strip();
        int equals = value.indexOf('=');
        if (equals < 0 || !value.substring(0, equals).strip().toLowerCase(Locale.ROOT).equals("bytes")) {
            return new Whole();
        }
        String spec = value.substring(equals + 1).strip();
        if (spec.isEmpty() || spec.contains(",")) {
            return new Whole();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        Optional<Long> first = digits(spec.substring(0, dash).strip());
        Optional<Long> last = digits(spec.substring(dash + 1).strip());
        if (dash == 0) {
            // suffix-range: the last N bytes
            if (last.isEmpty()) {
                return new Whole();
            }
            if (last.get() == 0 || length == 0) {
                return new Unsatisfiable(length);
            }
            return new Part(Math.max(0, length - last.get()), length - 1, length);
        }
        if (first.isEmpty() || (dash < spec.length() - 1 && last.isEmpty())) {
            return new Whole();
        }
        if (last.isPresent() && last.get() < first.get()) {
            return new Whole();
        }
        if (first.get() >= length) {
            return new Unsatisfiable(length);
        }
        long end = last.map(l -> Math.min(l, length - 1)).orElse(length - 1);
        return new Part(first.get(), end, length);
    }

    /**
     * §13.1.5: the range applies only if the stored response is still the representation the client has:
     * a strong entity tag match, or a {@code Last-Modified} equal to the date given.
     */
    private static boolean ifRangeHolds(String ifRange, StoredResponse stored) {
        String condition = ifRange.strip();
        if (condition.startsWith("\"") || condition.startsWith("W/")) {
            return stored.headers().first("ETag").filter(etag -> ValidationRule.stronglyMatches(etag, condition)).isPresent();
        }
        Optional<Instant> date = HttpDates.parse(condition);
        Optional<Instant> lastModified = stored.headers().first("Last-Modified").flatMap(HttpDates::parse);
        return date.isPresent() && lastModified.isPresent() && date.get().equals(lastModified.get());
    }

    private static Optional<Long> digits(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(text));
    }
}
