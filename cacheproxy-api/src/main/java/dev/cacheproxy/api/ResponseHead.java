package dev.cacheproxy.api;

import java.util.Objects;

/**
 * A response's status code and header fields.
 *
 * @param status  the status code, 100 to 599
 * @param headers the response header fields, hop-by-hop fields already removed
 */
public record ResponseHead(int status, HeaderFields headers) {

    public ResponseHead {
        Objects.requireNonNull(headers, "headers");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not a valid status code: " + status);
        }
    }

    /** This response with other header fields. */
    public ResponseHead withHeaders(HeaderFields newHeaders) {
        return new ResponseHead(status, newHeaders);
    }

    /** This response with another status code. */
    public ResponseHead withStatus(int newStatus) {
        return new ResponseHead(newStatus, headers);
    }
}
