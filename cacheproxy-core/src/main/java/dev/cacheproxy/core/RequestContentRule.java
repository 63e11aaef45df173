package dev.cacheproxy.core;

import dev.cacheproxy.api.RequestHead;
import java.util.Optional;

/**
 * A {@code GET} or {@code HEAD} with content (RFC 9110 §9.3.1: content has no defined semantics there)
 * is passed to the origin without reading or writing the cache: the origin may answer according to the
 * content, which is not part of the cache key, so its response must not be stored under the URL alone,
 * and a stored response must not answer what the origin would answer differently.
 */
final class RequestContentRule {

    private RequestContentRule() {
    }

    /** Whether the request announces content (RFC 9112 §6: a {@code Transfer-Encoding}, or a non-zero {@code Content-Length}). */
    static boolean hasContent(RequestHead request) {
        if (request.headers().contains("Transfer-Encoding")) {
            return true;
        }
        Optional<String> length = request.headers().first("Content-Length");
        return length.isPresent() && !length.get().strip().equals("0");
    }

    /** Whether the cache stays out of this exchange: a {@code GET} or {@code HEAD} that has content. */
    static boolean bypassesCache(RequestHead request) {
        return (request.isMethod("GET") || request.isMethod("HEAD")) && hasContent(request);
    }
}
