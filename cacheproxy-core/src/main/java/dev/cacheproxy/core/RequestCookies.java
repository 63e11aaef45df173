package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** RFC 6265 §4.2 and §5.4: the cookies a request's {@code Cookie} fields carry, by name. */
final class RequestCookies {

    private RequestCookies() {
    }

    /** The value of the first cookie of this name (exact, case-sensitive), when the request sends one. */
    static Optional<String> value(HeaderFields requestHeaders, String name) {
        for (String line : requestHeaders.values("Cookie")) {
            // cookie-string = cookie-pair *( ";" SP cookie-pair ); browsers also send ";" alone.
            for (String pair : line.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).strip().equals(name)) {
                    return Optional.of(pair.substring(equals + 1).strip());
                }
            }
        }
        return Optional.empty();
    }

    /** The values of every cookie of this name (exact, case-sensitive), in the order the request sends them. */
    static List<String> values(HeaderFields requestHeaders, String name) {
        List<String> values = new ArrayList<>(1);
        for (String line : requestHeaders.values("Cookie")) {
            for (String pair : line.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).strip().equals(name)) {
                    values.add(pair.substring(equals + 1).strip());
                }
            }
        }
        return values;
    }

    /** Whether the request sends a cookie of this name, whatever its value. */
    static boolean has(HeaderFields requestHeaders, String name) {
        return value(requestHeaders, name).isPresent();
    }
}
