package dev.cacheproxy.api;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The header fields that describe one connection rather than the message, in one list for every
 * module: a proxy never forwards them (RFC 9110 §7.6.1) and a cache never stores them (RFC 9111 §3.1).
 * Besides this fixed list, a message's own {@code Connection} field may name more.
 */
public final class HopByHopFields {

    /**
     * The fixed list, lower case: RFC 9110 §7.6.1's {@code Connection}, {@code Proxy-Connection},
     * {@code Keep-Alive}, {@code TE}, {@code Transfer-Encoding}, {@code Upgrade} and {@code Trailer}, and
     * the proxy authentication fields RFC 9111 §3.1 says a cache must not store.
     */
    public static final Set<String> NAMES = Set.of(
            "connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade", "trailer",
            "proxy-authenticate", "proxy-authentication-info", "proxy-authorization");

    private HopByHopFields() {
    }

    /**
     * Whether a field of this name, in any case, is on the fixed list.
     *
     * @param name a field name
     * @return {@code true} for a hop-by-hop field
     */
    public static boolean isHopByHop(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * These fields without any on the fixed list or named by their own {@code Connection} field.
     *
     * @param fields a message's fields
     * @return the end-to-end fields among them
     */
    public static HeaderFields removeFrom(HeaderFields fields) {
        if (fields.lines().stream().noneMatch(line -> NAMES.contains(line.lowerCaseName()))) {
            return fields; // most requests: nothing to remove, nothing to copy
        }
        if (!fields.contains("Connection")) {
            return fields.toBuilder().removeIf(line -> NAMES.contains(line.lowerCaseName())).build();
        }
        Set<String> remove = new HashSet<>(NAMES);
        for (String connection : fields.values("Connection")) {
            for (String name : connection.split(",")) {
                remove.add(name.strip().toLowerCase(Locale.ROOT));
            }
        }
        return fields.toBuilder().removeIf(line -> remove.contains(line.lowerCaseName())).build();
    }
}
