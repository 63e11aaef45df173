package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.CacheTags;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.api.TaggedStore;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.EternalExpiryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CacheStore} on a JCache (JSR-107) {@link Cache}, so that any JCache provider can hold the
 * cache: a distributed one (Hazelcast, Infinispan...) lets several proxies share what they store, and
 * an invalidation through one is seen by all.
 *
 * <p>Values are {@code byte[]} in cacheproxy's versioned, checksummed format ({@link StoredVariantsCodec}),
 * which every provider can hold and move between members without knowing our classes; every read
 * decodes. All variants of a URI live under one key. A write merges the new variant into the stored
 * ones atomically on the member that owns the key, with an {@link javax.cache.processor.EntryProcessor};
 * in a distributed cache that processor is sent to the owner with Java serialization, so each member
 * needs cacheproxy-core on its class path (true of members embedded in the proxies).
 *
 * <p>Thread safe. The cache stays the caller's: {@link #close()} does not close it. JCache has no
 * portable entry count, so this store reports no {@linkplain dev.cacheproxy.api.ObservableStore statistics};
 * use the provider's own (JCache's {@code CacheStatisticsMXBean}, Hazelcast's metrics...).
 *
 * <p>Purges by tag find their keys in a second cache from tag to keys, when one is given
 * ({@link Builder#tagIndex}); it is shared like the first, so a purge through one proxy finds what
 * another stored. Without one, a purge by tag reads and decodes every entry, which a distributed cache
 * sends over the network: fine for small caches and rare purges only.
 */
public final class JCacheStore implements TaggedStore {

    private static final Logger LOG = LoggerFactory.getLogger(JCacheStore.class);

    /** A compare-and-swap on one tag that keeps losing means the tag is hot; the write is skipped. */
    private static final int MAX_INDEX_ATTEMPTS = 16;
    /** Separates keys in a tag's index value: a URI never contains a line feed. */
    private static final String KEY_SEPARATOR = "\n";

    private final Cache<String, byte[]> cache;
    private final Optional<Cache<String, String>> tagIndex;
    private final int maxVariantsPerKey;
    private final AtomicBoolean closed = new AtomicBoolean();

    private JCacheStore(Cache<String, byte[]> cache, Optional<Cache<String, String>> tagIndex, int maxVariantsPerKey) {
        this.cache = cache;
        this.tagIndex = tagIndex;
        this.maxVariantsPerKey = maxVariantsPerKey;
    }

    /**
     * A builder for a store on this cache, which the caller creates, owns and closes.
     *
     * @param cache the cache, which stays the caller's to close
     * @return the builder
     */
    public static Builder using(Cache<String, byte[]> cache) {
        return new Builder(Objects.requireNonNull(cache, "cache"));
    }

    /**
     * A configuration for the cache: {@code String} keys, {@code byte[]} values, no expiry (freshness
     * decides reuse; the provider's eviction bounds the size). Pass it to
     * {@link javax.cache.CacheManager#createCache}.
     *
     * @return a new configuration, to change further or pass on
     */
    public static MutableConfiguration<String, byte[]> cacheConfiguration() {
        return new MutableConfiguration<String, byte[]>()
                .setTypes(String.class, byte[].class)
                .setExpiryPolicyFactory(EternalExpiryPolicy.factoryOf());
    }

    /** {@return a configuration for the tag index ({@link Builder#tagIndex}): {@code String} keys and values, no expiry} */
    public static MutableConfiguration<String, String> tagIndexConfiguration() {
        return new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setExpiryPolicyFactory(EternalExpiryPolicy.factoryOf());
    }

    /**
     * The variants stored under the key. An entry that cannot be decoded (damaged, truncated, written by
     * another format version) is removed and reported as a {@link CacheStoreException}, which the engine
     * counts and logs as a store fault and serves as a miss; it is never returned.
     *
     * @param key the key the variants were stored under
     * @return the stored variants, none when nothing is stored
     * @throws CacheStoreException if the cache fails, or the entry could not be decoded (it is then removed)
     */
    @Override
    public List<StoredResponse> variants(CacheKey key) {
        ensureOpen();
        byte[] stored;
        try {
            stored = cache.get(key.value());
        } catch (RuntimeException fault) {
            throw new CacheStoreException("reading " + key + " failed", fault);
        }
        if (stored == null) {
            return List.of();
        }
        try {
            return StoredVariantsCodec.decode(ByteBuffer.wrap(stored)).responses();
        } catch (StoredVariantsCodec.UnreadableEntryException unreadable) {
            LOG.debug("dropping the unreadable cache entry for {} ({})", key, unreadable.getMessage());
            try {
                // Unconditional: providers compare byte[] values differently (content, identity), and a
                // good response that another proxy stored in this instant is only a miss more.
                cache.remove(key.value());
            } catch (RuntimeException fault) {
                throw new CacheStoreException("dropping the unreadable entry of " + key + " failed", fault);
            }
            // A fault like any other for the engine: counted, logged once per interval, served as a miss.
            throw new CacheStoreException("the stored entry of " + key + " was unreadable (damaged, truncated or from another "
                    + "format version): dropped", unreadable);
        }
    }

    @Override
    public void store(CacheKey key, StoredResponse response) {
        Objects.requireNonNull(response, "response");
        ensureOpen();
        byte[] encoded = StoredVariantsCodec.encode(new StoredVariants(List.of(response)));
        // Indexed before it is written, so that no tagged entry is ever stored where a purge cannot find it.
        tagIndex.ifPresent(index -> CacheTags.of(response).tags().forEach(tag -> index(index, tag, key)));
        try {
            // The first response of a URI needs no merge. Going through putIfAbsent also keeps entry processors
            // away from absent keys, which Ehcache's JCache provider cannot copy by value.
            if (!cache.putIfAbsent(key.value(), encoded)) {
                cache.invoke(key.value(), new MergeVariant(encoded, maxVariantsPerKey));
            }
        } catch (RuntimeException fault) {
            throw new CacheStoreException("storing " + key + " failed", fault);
        }
    }

    @Override
    public void remove(CacheKey key) {
        ensureOpen();
        try {
            cache.remove(key.value());
        } catch (RuntimeException fault) {
            throw new CacheStoreException("removing " + key + " failed", fault);
        }
    }

    @Override
    public long removeTagged(String tag) {
        Objects.requireNonNull(tag, "tag");
        ensureOpen();
        long removed = 0;
        try {
            if (tagIndex.isPresent()) {
                String keys = tagIndex.get().getAndRemove(tag);
                for (String key : keys == null ? List.<String>of() : Arrays.asList(keys.split(KEY_SEPARATOR))) {
                    if (cache.remove(key)) {
                        removed++;
                    }
                }
                return removed;
            }
            for (Cache.Entry<String, byte[]> entry : cache) {
                if (isTagged(entry.getValue(), tag) && cache.remove(entry.getKey())) {
                    removed++;
                }
            }
            return removed;
        } catch (RuntimeException fault) {
            throw new CacheStoreException("removing the entries tagged " + tag + " failed after " + removed, fault);
        }
    }

    /** Removes everything in the cache (and the tag index), on every member of a distributed one. */
    @Override
    public void clear() {
        ensureOpen();
        try {
            tagIndex.ifPresent(Cache::clear);
            cache.clear();
        } catch (RuntimeException fault) {
            throw new CacheStoreException("clearing the cache failed", fault);
        }
    }

    /** Stops using the cache, which stays open for its owner. Idempotent. */
    @Override
    public void close() {
        closed.set(true);
    }

    /** Adds the key to the tag's keys: a compare-and-swap, as other proxies may add keys to the same tag. */
    private static void index(Cache<String, String> index, String tag, CacheKey key) {
        try {
            for (int attempt = 0; attempt < MAX_INDEX_ATTEMPTS; attempt++) {
                String keys = index.get(tag);
                if (keys == null) {
                    if (index.putIfAbsent(tag, key.value())) {
                        return;
                    }
                } else if (Set.of(keys.split(KEY_SEPARATOR)).contains(key.value())
                        || index.replace(tag, keys, keys + KEY_SEPARATOR + key.value())) {
                    return;
                }
            }
        } catch (RuntimeException fault) {
            throw new CacheStoreException("indexing " + key + " under the tag " + tag + " failed", fault);
        }
        throw new CacheStoreException("indexing " + key + " under the tag " + tag + " lost " + MAX_INDEX_ATTEMPTS + " races");
    }

    private static boolean isTagged(byte[] value, String tag) {
        try {
            return StoredVariantsCodec.decode(ByteBuffer.wrap(value)).responses().stream()
                    .anyMatch(response -> CacheTags.of(response).tags().contains(tag));
        } catch (StoredVariantsCodec.UnreadableEntryException unreadable) {
            return false;
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the store is closed");
        }
    }

    /** Configures a {@link JCacheStore}. Not thread safe. */
    public static final class Builder {
        private final Cache<String, byte[]> cache;
        private Optional<Cache<String, String>> tagIndex = Optional.empty();
        private int maxVariantsPerKey = 16;

        private Builder(Cache<String, byte[]> cache) {
            this.cache = cache;
        }

        /**
         * How many {@code Vary} variants one URI may have; the oldest goes first. Default 16.
         *
         * @param variants the limit, at least 1
         * @return this builder
         */
        public Builder maxVariantsPerKey(int variants) {
            if (variants < 1) {
                throw new IllegalArgumentException("at least one variant per key, got " + variants);
            }
            this.maxVariantsPerKey = variants;
            return this;
        }

        /**
         * A second cache, from tag to the keys stored with it, for purges by tag without reading every
         * entry: create it with {@link #tagIndexConfiguration()} beside the first, shared the same way,
         * and size it so that it never evicts (a tag it forgets can no longer be purged). Keys whose
         * entries went stay listed until their tag is purged: that purges nothing more than needed.
         *
         * @param index the tag index cache, which stays the caller's to close
         * @return this builder
         */
        public Builder tagIndex(Cache<String, String> index) {
            this.tagIndex = Optional.of(Objects.requireNonNull(index, "index"));
            return this;
        }

        /** {@return the store} */
        public JCacheStore build() {
            return new JCacheStore(cache, tagIndex, maxVariantsPerKey);
        }
    }
}
