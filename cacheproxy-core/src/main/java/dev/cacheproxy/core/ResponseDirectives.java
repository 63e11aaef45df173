package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * RFC 9213 §2.2: the response directives this cache obeys. The first targeted field (such as
 * {@code CDN-Cache-Control}) that is present and a valid structured-field dictionary replaces
 * {@code Cache-Control} and {@code Expires} for this cache; with none, {@code Cache-Control} applies.
 * Targeted fields are still passed on downstream, where another cache may be their target.
 *
 * @param directives the directives to obey
 * @param source     the field they came from, e.g. {@code Cache-Control} or {@code CDN-Cache-Control}
 */
record ResponseDirectives(CacheControl directives, String source) {

    /** The directives for a cache that obeys these targeted fields, in order of precedence. */
    static ResponseDirectives of(HeaderFields responseHeaders, List<String> targetedFields) {
        for (String field : targetedFields) {
            if (!responseHeaders.contains(field)) {
                continue;
            }
            Optional<CacheControl> targeted = targeted(responseHeaders, field);
            if (targeted.isPresent()) {
                return new ResponseDirectives(targeted.get(), field);
            }
        }
        return new ResponseDirectives(CacheControl.ofResponse(responseHeaders), "Cache-Control");
    }

    /** Whether {@code Expires} counts: not when a targeted field took over (RFC 9213 §2.2). */
    boolean expiresApplies() {
        return source.equals("Cache-Control");
    }

    /** RFC 9213 §2.1: the directives whose value is an Integer; the rest this cache knows are Booleans. */
    private static final Set<String> INTEGER_DIRECTIVES = Set.of("max-age", "s-maxage", "stale-while-revalidate", "stale-if-error");
    private static final Set<String> BOOLEAN_DIRECTIVES = Set.of("no-store", "no-cache", "private", "public",
            "must-revalidate", "proxy-revalidate", "must-understand", "immutable", "no-transform");

    /**
     * A targeted field's directives, when it is present, not empty, parses as a dictionary (RFC 8941
     * §4.2.2) and gives each directive this cache knows a value of its type: {@code max-age="10000"}
     * makes the whole field invalid, and the next field in line applies. Parameters on a directive are
     * ignored, and a Boolean false ({@code no-store=?0}) means the directive is absent (RFC 9213 §2.1).
     */
    private static Optional<CacheControl> targeted(HeaderFields headers, String field) {
        List<String> lines = headers.values(field);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        Optional<Map<String, StructuredDictionary.Member>> members = StructuredDictionary.members(String.join(", ", lines));
        if (members.isEmpty() || members.get().isEmpty()
                || !members.get().entrySet().stream().allMatch(ResponseDirectives::hasItsType)) {
            return Optional.empty();
        }
        Map<String, String> directives = new LinkedHashMap<>();
        members.get().forEach((name, member) -> {
            if (!member.isFalse()) {
                directives.put(name, member.type() == StructuredDictionary.Type.BOOLEAN ? "" : member.value());
            }
        });
        return Optional.of(new CacheControl(directives, Set.of()));
    }

    private static boolean hasItsType(Map.Entry<String, StructuredDictionary.Member> member) {
        StructuredDictionary.Type type = member.getValue().type();
        if (INTEGER_DIRECTIVES.contains(member.getKey())) {
            return type == StructuredDictionary.Type.INTEGER;
        }
        if (BOOLEAN_DIRECTIVES.contains(member.getKey())) {
            // no-cache and private may also name fields, as a string or a list (their qualified forms).
            return type == StructuredDictionary.Type.BOOLEAN
                    || ((member.getKey().equals("no-cache") || member.getKey().equals("private"))
                        && (type == StructuredDictionary.Type.STRING || type == StructuredDictionary.Type.INNER_LIST));
        }
        return true;
    }
}
