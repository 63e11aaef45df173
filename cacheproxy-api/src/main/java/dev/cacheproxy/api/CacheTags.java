package dev.cacheproxy.api;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The tags of a stored response, by which it can be purged along with every other response that shares
 * one (a product, a page template, an author...). Origins send them in a response field such as
 * {@code Surrogate-Key: product-7 category-3}; the engine stores them with the response in
 * {@link #FIELD}, which a {@link TaggedStore} reads and which never reaches a client.
 *
 * @param tags the tags, each a non-empty run of characters without whitespace or commas
 */
public record CacheTags(Set<String> tags) {

    /** The stored response field that holds the tags, space-separated: the engine's own, never sent to clients. */
    public static final String FIELD = "Cacheproxy-Tags";

    /** No tags. */
    public static final CacheTags NONE = new CacheTags(Set.of());

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param tags the tags, each a non-empty run of characters without whitespace or commas
     */
    public CacheTags {
        Objects.requireNonNull(tags, "tags");
        for (String tag : tags) {
            if (!isTag(tag)) {
                throw new IllegalArgumentException("a tag is a non-empty run of characters without whitespace or commas, got \"" + tag + "\"");
            }
        }
        tags = Collections.unmodifiableSet(new LinkedHashSet<>(tags));
    }

    /**
     * The tags stored with this response, if any.
     *
     * @param response a stored response
     * @return its tags from {@link #FIELD}; {@link #NONE} when it has none
     */
    public static CacheTags of(StoredResponse response) {
        return parse(response.headers().values(FIELD));
    }

    /**
     * The tags in these field values, separated by whitespace ({@code Surrogate-Key}) or commas
     * ({@code Cache-Tag}); duplicates once, in order of appearance.
     *
     * @param fieldValues the values of every line of the tag fields
     * @return the tags, possibly none
     */
    public static CacheTags parse(Iterable<String> fieldValues) {
        Set<String> tags = new LinkedHashSet<>();
        for (String value : fieldValues) {
            for (String tag : value.split("[\\s,]+")) {
                if (!tag.isEmpty()) {
                    tags.add(tag);
                }
            }
        }
        return tags.isEmpty() ? NONE : new CacheTags(tags);
    }

    /**
     * Whether this is a valid tag: what {@link #parse} can produce.
     *
     * @param candidate the string to check
     * @return {@code true} for a non-empty run of characters without whitespace or commas
     */
    public static boolean isTag(String candidate) {
        return candidate != null && !candidate.isEmpty() && candidate.chars().noneMatch(c -> c == ',' || Character.isWhitespace(c));
    }

    /** {@return whether there is no tag} */
    public boolean isEmpty() {
        return tags.isEmpty();
    }

    /** {@return the value of {@link #FIELD}: the tags, space-separated} */
    public String toFieldValue() {
        return String.join(" ", tags);
    }
}
