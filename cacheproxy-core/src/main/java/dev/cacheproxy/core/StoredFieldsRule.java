package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * RFC 9111 §3.1: the header fields a cache does not store, and RFC 9110 §7.6.1: the hop-by-hop
 * fields a proxy never forwards.
 */
final class StoredFieldsRule {

    /** RFC 9110 §7.6.1 and the fields listed in §3.1 of RFC 9111. */
    static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade",
            "proxy-authenticate", "proxy-authentication-info", "proxy-authorization", "trailer");

    private StoredFieldsRule() {
    }

    /** The fields without hop-by-hop ones, including those the {@code Connection} field names. */
    static HeaderFields withoutHopByHop(HeaderFields headers) {
        Set<String> remove = new HashSet<>(HOP_BY_HOP);
        for (String connection : headers.values("Connection")) {
            for (String name : connection.split(",")) {
                remove.add(name.strip().toLowerCase(Locale.ROOT));
            }
        }
        return headers.toBuilder().removeIf(line -> remove.contains(line.lowerCaseName())).build();
    }

    /** The fields to store: every end-to-end field of the response. */
    static HeaderFields toStore(HeaderFields responseHeaders) {
        return withoutHopByHop(responseHeaders);
    }
}
