package dev.cacheproxy.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * Holds stored responses under their primary {@link CacheKey}, several variants per key.
 *
 * <p>Contract:
 * <ul>
 *   <li>Thread safe: any method may be called from many threads at once. A reader sees each stored
 *       response whole, as it was stored, never a mix of two writes.</li>
 *   <li>No {@code null} arguments or results.</li>
 *   <li>A store may forget any entry at any time (eviction); it never returns one it was not given.</li>
 *   <li>A method that cannot do its work throws {@link CacheStoreException}. The engine treats that as
 *       a miss or a skipped write, so a failing store never fails a client's request.</li>
 * </ul>
 *
 * <p>A store of your own keeps a list of variants per key and replaces it atomically (a compare-and-swap,
 * an entry processor, a transaction): {@link #withVariant} computes the new list, so that every store
 * merges variants alike. {@code CacheStoreContract} in cacheproxy-core's test-jar checks a store.
 */
public interface CacheStore extends AutoCloseable {

    /**
     * The variants a key holds after {@code response} is stored into {@code variants}: it replaces the
     * one that {@linkplain StoredResponse#isSameVariantAs is the same variant}, if any; the list is
     * ordered oldest first by response time, and the oldest are dropped beyond {@code maxVariants}.
     *
     * @param variants    what the key holds now, possibly nothing
     * @param response    the response being stored
     * @param maxVariants how many variants a key may hold, at least 1
     * @return a new, unmodifiable list that holds {@code response}
     */
    static List<StoredResponse> withVariant(List<StoredResponse> variants, StoredResponse response, int maxVariants) {
        if (maxVariants < 1) {
            throw new IllegalArgumentException("a key must be able to hold at least one variant, got " + maxVariants);
        }
        List<StoredResponse> updated = new ArrayList<>(variants.size() + 1);
        for (StoredResponse existing : variants) {
            if (!existing.isSameVariantAs(response)) {
                updated.add(existing);
            }
        }
        updated.add(response);
        updated.sort(Comparator.comparing(StoredResponse::responseTime));
        while (updated.size() > maxVariants) {
            updated.remove(0);
        }
        return List.copyOf(updated);
    }

    /**
     * Every stored variant for this key, in no particular order; empty when there is none.
     *
     * @param key the primary key
     * @return the variants, possibly none
     */
    List<StoredResponse> variants(CacheKey key);

    /**
     * Stores a response, replacing the stored variant of this key that {@linkplain
     * StoredResponse#isSameVariantAs is the same variant}, if there is one. A store may bound the
     * number of variants per key and drop others to make room.
     *
     * @param key      the primary key
     * @param response the response, with its complete body
     */
    void store(CacheKey key, StoredResponse response);

    /**
     * Removes every variant stored for this key; does nothing when there is none.
     *
     * @param key the primary key
     */
    void remove(CacheKey key);

    /**
     * The largest response body, in bytes, this store can keep, when its capacity bounds it (a tier
     * of fixed size); empty when it does not. The engine refuses at build time a maximum object size
     * above it, and never says {@code stored} for a larger body. Default: empty.
     *
     * @return the largest body in bytes; empty when the store's capacity does not bound it
     */
    default OptionalLong largestBody() {
        return OptionalLong.empty();
    }

    /** Removes everything. */
    void clear();

    /** Releases what the store holds open. Calls after this one may throw {@link IllegalStateException}. */
    @Override
    void close();
}
