package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheTags;
import dev.cacheproxy.api.StoredResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which keys hold a response with which tag, for a store that sees every change of its entries in
 * order (Ehcache's ordered entry events): it follows the cache key by key, so it knows every key with
 * a tag for as long as the key is stored. Kept in memory, rebuilt from the entries when a persistent
 * cache is opened again. Thread safe; a lock is enough, as only tagged entries and removals take it.
 */
final class TagIndex {

    private final Map<String, Set<String>> keysByTag = new HashMap<>();
    private final Map<String, Set<String>> tagsByKey = new HashMap<>();

    /** The key now holds these variants: it carries their tags, and no others. */
    void holds(String key, StoredVariants value) {
        Set<String> tags = tagsOf(value.responses());
        synchronized (this) {
            if (tags.isEmpty() && !tagsByKey.containsKey(key)) {
                return;
            }
            forget(key);
            if (!tags.isEmpty()) {
                tagsByKey.put(key, tags);
                for (String tag : tags) {
                    keysByTag.computeIfAbsent(tag, absent -> new HashSet<>()).add(key);
                }
            }
        }
    }

    /** The key is no longer stored. */
    synchronized void removed(String key) {
        forget(key);
    }

    /** The keys that hold a response with this tag. */
    synchronized Set<String> keys(String tag) {
        return Set.copyOf(keysByTag.getOrDefault(tag, Set.of()));
    }

    /** Nothing is stored any more. */
    synchronized void cleared() {
        keysByTag.clear();
        tagsByKey.clear();
    }

    private void forget(String key) {
        Set<String> previous = tagsByKey.remove(key);
        if (previous == null) {
            return;
        }
        for (String tag : previous) {
            Set<String> keys = keysByTag.get(tag);
            if (keys != null && keys.remove(key) && keys.isEmpty()) {
                keysByTag.remove(tag);
            }
        }
    }

    private static Set<String> tagsOf(List<StoredResponse> responses) {
        Set<String> tags = new HashSet<>();
        for (StoredResponse response : responses) {
            tags.addAll(CacheTags.of(response).tags());
        }
        return tags;
    }
}
