package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.HopByHopFields;

/**
 * RFC 9111 §3.1: the header fields a cache does not store: the {@linkplain HopByHopFields hop-by-hop
 * and connection-specific fields}, whose list lives in the api so that every adapter uses the same one.
 */
final class StoredFieldsRule {

    private StoredFieldsRule() {
    }

    /** The fields to store: every end-to-end field of the response. */
    static HeaderFields toStore(HeaderFields responseHeaders) {
        return HopByHopFields.removeFrom(responseHeaders);
    }
}
