package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheTags;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.ResponseHead;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an origin's tags for purging come from and where they go: read from the configured response
 * fields ({@code Surrogate-Key}, {@code Cache-Tag}) into the stored response's {@link CacheTags#FIELD},
 * and kept from clients, who have no use for them and should not learn the site's structure from them.
 */
final class TagFields {

    private final List<String> names;
    private final boolean hideFromClients;

    /**
     * @param names           the response fields that carry tags; none turns tagging off
     * @param hideFromClients whether those fields are removed from what clients receive
     */
    TagFields(List<String> names, boolean hideFromClients) {
        this.names = List.copyOf(names);
        this.hideFromClients = hideFromClients;
    }

    /** The head to store: the origin's fields, with its tags (and only ours) in {@link CacheTags#FIELD}. */
    ResponseHead forStorage(ResponseHead head) {
        HeaderFields headers = head.headers().without(CacheTags.FIELD);
        List<String> values = new ArrayList<>();
        for (String name : names) {
            values.addAll(headers.values(name));
        }
        CacheTags tags = CacheTags.parse(values);
        return tags.isEmpty() ? head.withHeaders(headers) : head.withHeaders(headers.with(CacheTags.FIELD, tags.toFieldValue()));
    }

    /** Whether clients never see this field: the stored tags, and the origin's tag fields when hidden. */
    boolean hiddenFromClients(HeaderField line) {
        if (line.hasName(CacheTags.FIELD)) {
            return true;
        }
        if (hideFromClients) {
            for (String name : names) {
                if (line.hasName(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The fields a client receives: never ours, and the origin's tag fields only when configured so. */
    HeaderFields forClient(HeaderFields headers) {
        return headers.toBuilder().removeIf(this::hiddenFromClients).build();
    }

    /** The head a client receives. */
    ResponseHead forClient(ResponseHead head) {
        return head.withHeaders(forClient(head.headers()));
    }
}
