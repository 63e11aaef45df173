package dev.cacheproxy.core;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds requests, responses and stored responses from the one-line notation the rule tables use:
 * {@code "Cache-Control: max-age=60 && Date: {now-10}"} is two header lines, and {@code {now}},
 * {@code {now-N}}, {@code {now+N}} are HTTP-dates N seconds around {@link #NOW}. A blank or null
 * cell is no header at all.
 */
final class Http {

    /** The instant every table is written against. */
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    /** The target URI of every request unless a table says otherwise. */
    static final URI PAGE = URI.create("http://origin.test/page");

    /** The target list of a CDN-like cache (RFC 9213). */
    static final List<String> CDN = List.of("CDN-Cache-Control");

    private static final Pattern DATE = Pattern.compile("\\{now([+-]\\d+)?}");

    private Http() {
    }

    /** Header fields from the table notation. */
    static HeaderFields fields(String lines) {
        HeaderFields.Builder fields = HeaderFields.builder();
        if (lines == null || lines.isBlank()) {
            return fields.build();
        }
        for (String line : lines.split("&&")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("a header line needs a colon: " + line);
            }
            fields.add(line.substring(0, colon).strip(), dates(line.substring(colon + 1).strip()));
        }
        return fields.build();
    }

    /** The HTTP-date this many seconds after {@link #NOW}. */
    static String date(long secondsFromNow) {
        return HttpDates.format(NOW.plusSeconds(secondsFromNow));
    }

    /** {@link #NOW} moved by this many seconds. */
    static Instant at(long secondsFromNow) {
        return NOW.plusSeconds(secondsFromNow);
    }

    static RequestHead request(String method, String headers) {
        return new RequestHead(method, PAGE, fields(headers));
    }

    static RequestHead get(String headers) {
        return request("GET", headers);
    }

    static ResponseHead response(int status, String headers) {
        return new ResponseHead(status, fields(headers));
    }

    /** A response stored at {@link #NOW} (sent and received then), without {@code Vary}. */
    static StoredResponse stored(int status, String headers, long lifetimeSeconds) {
        return stored(response(status, headers), "", NOW, NOW, lifetimeSeconds);
    }

    /** A 200 stored at {@link #NOW}, without {@code Vary}. */
    static StoredResponse stored(String headers, long lifetimeSeconds) {
        return stored(200, headers, lifetimeSeconds);
    }

    static StoredResponse stored(ResponseHead head, String variantKey, Instant requestTime, Instant responseTime,
                                 long lifetimeSeconds) {
        return new StoredResponse(head, Body.ofUtf8("0123456789"), variantKey, requestTime, responseTime,
                Duration.ofSeconds(lifetimeSeconds));
    }

    /**
     * The fields by lower-case name, each with its values in order: what a cache must keep when it
     * rewrites fields, ignoring the order between fields of different names (RFC 9110 §5.3).
     */
    static Map<String, List<String>> byName(HeaderFields fields) {
        Map<String, List<String>> byName = new TreeMap<>();
        for (String name : fields.names()) {
            byName.put(name.toLowerCase(Locale.ROOT), fields.values(name));
        }
        return byName;
    }

    private static String dates(String value) {
        Matcher matcher = DATE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            long offset = matcher.group(1) == null ? 0 : Long.parseLong(matcher.group(1));
            matcher.appendReplacement(out, Matcher.quoteReplacement(date(offset)));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
