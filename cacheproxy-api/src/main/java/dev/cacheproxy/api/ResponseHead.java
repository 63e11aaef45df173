package dev.cacheproxy.api;

import java.util.Objects;

/**
 * A response's status code and header fields.
 *
 * @param status  the status code, 100 to 599
 * @param headers the response header fields, hop-by-hop fields already removed
 */
public record ResponseHead(int status, HeaderFields headers) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param status  the status code, 100 to 599
     * @param headers the response header fields, hop-by-hop fields already removed
     */
    public ResponseHead {
        Objects.requireNonNull(headers, "headers");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not a valid status code: " + status);
        }
    }

    /**
     * This response with other header fields.
     *
     * @param newHeaders the fields instead of these
     * @return a copy with them
     */
    public ResponseHead withHeaders(HeaderFields newHeaders) {
        return new ResponseHead(status, newHeaders);
    }

    /**
     * This response with another status code.
     *
     * @param newStatus the status code instead of this one
     * @return a copy with it
     */
    public ResponseHead withStatus(int newStatus) {
        return new ResponseHead(newStatus, headers);
    }
}
