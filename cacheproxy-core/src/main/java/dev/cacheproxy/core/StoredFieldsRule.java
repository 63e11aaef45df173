package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.HopByHopFields;
import dev.cacheproxy.api.ResponseHead;
import java.util.List;

/**
 * RFC 9111 §3.1: the header fields a cache does not store: the {@linkplain HopByHopFields hop-by-hop
 * and connection-specific fields}, whose list lives in the api so that every adapter uses the same one,
 * and the fields that set state in one client ({@code Set-Cookie}), which no other client may receive.
 */
final class StoredFieldsRule {

    private StoredFieldsRule() {
    }

    /** The fields to store: every end-to-end field of the response except those for its own client alone. */
    static HeaderFields toStore(HeaderFields responseHeaders) {
        HeaderFields endToEnd = HopByHopFields.removeFrom(responseHeaders);
        return hasOneClientOnly(endToEnd)
                ? endToEnd.toBuilder().removeIf(StoredFieldsRule::isOneClientOnly).build()
                : endToEnd;
    }

    /**
     * Whether this line is one that only the client whose request produced it may see: {@code Set-Cookie}
     * sets state in one client, so it is never stored and no other client ever receives it, whatever the
     * policy decided. {@code Set-Cookie2} (RFC 2965, obsoleted by RFC 6265 and honoured by no browser) is
     * stored like any field, as nginx and Varnish do and as the cache-tests suite requires.
     */
    static boolean isOneClientOnly(HeaderField line) {
        return line.hasName("Set-Cookie"); // on every hit: no lower-cased copy of each name
    }

    /** The lines of these fields that only their own client may see: what a 304 or HEAD adds for its client. */
    static List<HeaderField> oneClientOnly(HeaderFields headers) {
        return headers.lines().stream().filter(StoredFieldsRule::isOneClientOnly).toList();
    }

    /**
     * The head with the lines of {@code origin} that only its own client may see added: what the client
     * of a 304 or {@code HEAD} response gets, and what the policy weighs, though the store never keeps them.
     */
    static ResponseHead withOneClientFieldsOf(ResponseHead head, ResponseHead origin) {
        List<HeaderField> own = oneClientOnly(origin.headers());
        if (own.isEmpty()) {
            return head;
        }
        HeaderFields.Builder fields = head.headers().toBuilder();
        own.forEach(fields::add);
        return head.withHeaders(fields.build());
    }

    private static boolean hasOneClientOnly(HeaderFields headers) {
        return headers.contains("Set-Cookie");
    }
}
