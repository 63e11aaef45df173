package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import java.util.HashSet;
import java.util.List;
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

    /**
     * Fields that set state in one client: never stored, so no other client ever receives them, whatever
     * the policy decided (the response that carried them reaches its own client only).
     */
    static final Set<String> ONE_CLIENT_ONLY = Set.of("set-cookie", "set-cookie2");

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

    /** The fields to store: every end-to-end field of the response except those for its own client alone. */
    static HeaderFields toStore(HeaderFields responseHeaders) {
        HeaderFields endToEnd = withoutHopByHop(responseHeaders);
        return hasOneClientOnly(endToEnd)
                ? endToEnd.toBuilder().removeIf(StoredFieldsRule::isOneClientOnly).build()
                : endToEnd;
    }

    /** Whether this line is one that only the client whose request produced it may see ({@code Set-Cookie}). */
    static boolean isOneClientOnly(HeaderField line) {
        return ONE_CLIENT_ONLY.contains(line.lowerCaseName());
    }

    /** The lines of these fields that only their own client may see: what a 304 or HEAD adds for its client. */
    static List<HeaderField> oneClientOnly(HeaderFields headers) {
        return headers.lines().stream().filter(StoredFieldsRule::isOneClientOnly).toList();
    }

    private static boolean hasOneClientOnly(HeaderFields headers) {
        return headers.contains("Set-Cookie") || headers.contains("Set-Cookie2");
    }
}
