package dev.cacheproxy.store;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.CacheStoreStatistics;
import dev.cacheproxy.api.ObservableStore;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.api.TaggedStore;
import java.net.URL;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ehcache.Cache;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.event.CacheEvent;
import org.ehcache.event.CacheEventListener;
import org.ehcache.event.EventFiring;
import org.ehcache.event.EventOrdering;
import org.ehcache.event.EventType;
import org.ehcache.impl.config.resilience.DefaultResilienceStrategyConfiguration;
import org.ehcache.impl.config.serializer.DefaultSerializerConfiguration;
import org.ehcache.xml.XmlConfiguration;

/**
 * The default {@link CacheStore}: a heap tier sized in bytes for the hottest keys, in front of Ehcache 3
 * with an off-heap tier sized in bytes as the main one and an optional persistent disk tier that
 * survives a restart. Off-heap and disk entries are in cacheproxy's own versioned, checksummed binary
 * format ({@link StoredVariantsCodec}); the heap tier keeps decoded objects, so a hit on a hot key
 * decodes nothing. The heap tier follows every change of the Ehcache tiers (writes, removals, purges,
 * evictions, a clear): it never serves what they no longer hold. An entry that cannot be read is
 * dropped, counted in {@link #statistics()} and never served.
 *
 * <p>All variants of one URI live under one key, so a lookup is one {@code get}, never a scan. Writes to
 * a key are compare-and-swap on its variant list: concurrent writers never leave a mixed entry, and a
 * writer that keeps losing the race skips its write (a {@link CacheStoreException}).
 *
 * <p>Thread safe. Build one with {@link #builder()}, or bring your own Ehcache with {@link #using},
 * {@link #fromCacheManager} or {@link #fromXml}.
 */
public final class EhcacheStore implements ObservableStore, TaggedStore {

    /** A compare-and-swap that keeps losing means the key is hot; skipping one write is harmless. */
    private static final int MAX_WRITE_ATTEMPTS = 16;

    private final Cache<String, StoredVariants> cache;
    /** Decoded hot entries in front of {@link #cache}; {@link HeapTier#none()} when Ehcache's own heap tier (by entries) is used. */
    private final HeapTier heapTier;
    private final Optional<CacheManager> ownedManager;
    private final int maxVariantsPerKey;
    /** A quarter of the authoritative tier: a larger entry could be refused, or evicted by its own replacement. */
    private final OptionalLong largestEntry;
    private final StoreCounters counters = new StoreCounters();
    private final CacheEventListener<String, StoredVariants> events = this::onEntryEvent;
    private final TagIndex tags = new TagIndex();
    /** Ordered, unlike {@link #events}: the tag index must see a key's changes in the order they happened. */
    private final CacheEventListener<String, StoredVariants> tagEvents = this::onTagEvent;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EhcacheStore(Cache<String, StoredVariants> cache, HeapTier heapTier, Optional<CacheManager> ownedManager,
                         int maxVariantsPerKey, boolean mayHoldEntries) {
        this.cache = cache;
        this.heapTier = heapTier;
        this.ownedManager = ownedManager;
        this.maxVariantsPerKey = maxVariantsPerKey;
        try {
            this.largestEntry = EhcacheTiers.largestEntry(cache.getRuntimeConfiguration().getResourcePools());
            cache.getRuntimeConfiguration().registerCacheEventListener(events, EventOrdering.UNORDERED, EventFiring.SYNCHRONOUS,
                    EnumSet.allOf(EventType.class));
            cache.getRuntimeConfiguration().registerCacheEventListener(tagEvents, EventOrdering.ORDERED, EventFiring.SYNCHRONOUS,
                    EnumSet.allOf(EventType.class));
            if (mayHoldEntries) {
                // A restarted disk tier or a user's cache raises no events for what it already holds: count and index it once.
                for (Cache.Entry<String, StoredVariants> entry : cache) {
                    counters.created(entry.getValue());
                    if (!entry.getValue().isUnreadable()) {
                        tags.holds(entry.getKey(), entry.getValue());
                    }
                }
            }
        } catch (RuntimeException cannotWatch) {
            ownedManager.ifPresent(CacheManager::close);
            throw new IllegalStateException("cannot watch the Ehcache cache: " + cannotWatch.getMessage(), cannotWatch);
        }
    }

    /**
     * A builder for a store on a cache of its own, with the defaults: a heap tier of {@value Builder#DEFAULT_HEAP_BYTES}
     * bytes, {@linkplain Builder#defaultOffHeapSize() 64 MiB off heap or a quarter of the JVM's direct memory when
     * less}, no disk tier, 16 variants per key.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for a store on a cache you created and own, from {@link #cacheConfiguration(ResourcePoolsBuilder)}
     * (whose key and value types and value serializer are the store's own); closing the store leaves the
     * cache open. The cache's own tiers serve every read unless {@link Builder#heapSize(long)} adds the
     * store's heap tier in front of them.
     *
     * @param cache the cache, which stays open when the store closes
     * @return the builder
     * @throws IllegalArgumentException if the cache was not configured as {@link #cacheConfiguration} says
     */
    public static Builder using(Cache<String, ?> cache) {
        Objects.requireNonNull(cache, "cache");
        Cache<String, StoredVariants> ours = ours(cache, "the cache");
        return new Builder().source(() -> new Opened(ours, Optional.empty(), true));
    }

    /**
     * A builder for a store on the cache of this alias in your cache manager, which must be initialised
     * and hold it as {@link #cacheConfiguration(ResourcePoolsBuilder)} configures it. Closing the store
     * leaves the manager open.
     *
     * @param manager an initialised cache manager, which stays open when the store closes
     * @param alias   the cache's alias in it
     * @return the builder
     */
    public static Builder fromCacheManager(CacheManager manager, String alias) {
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(alias, "alias");
        return new Builder().source(() -> new Opened(existingCache(manager, alias, "the cache manager"), Optional.empty(), true));
    }

    /**
     * A builder for a store on the cache named {@code cacheproxy} in an Ehcache XML configuration. The
     * store owns the cache manager it starts and closes it. Needs a JAXB runtime on the class path
     * (e.g. {@code org.glassfish.jaxb:jaxb-runtime} 4.x).
     *
     * @param configuration where the XML configuration is
     * @return the builder
     */
    public static Builder fromXml(URL configuration) {
        return fromXml(configuration, EhcacheTiers.CACHE_ALIAS);
    }

    /**
     * A builder for a store on the cache of this alias in an Ehcache XML configuration, declared with
     * {@code <key-type>java.lang.String</key-type>} and
     * {@code <value-type>dev.cacheproxy.store.StoredVariants</value-type>}. {@link StoredVariantsCodec}
     * becomes its value serializer whatever the file says. The store owns the cache manager it starts.
     *
     * @param configuration where the XML configuration is
     * @param alias         the cache's alias in it
     * @return the builder
     * @throws IllegalArgumentException when the configuration cannot be read or has no such cache (at {@link Builder#build()})
     */
    public static Builder fromXml(URL configuration, String alias) {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(alias, "alias");
        return new Builder().source(() -> {
            CacheManager manager;
            try {
                XmlConfiguration xml = new XmlConfiguration(configuration, EhcacheStore.class.getClassLoader());
                if (xml.getCacheConfigurations().get(alias) == null) {
                    throw new IllegalArgumentException("the Ehcache configuration " + configuration + " has no cache \"" + alias + "\"");
                }
                manager = CacheManagerBuilder.newCacheManager(xml.derive()
                        .updateCache(alias, cache -> cache
                                .withoutServices(DefaultSerializerConfiguration.class,
                                        serializer -> serializer.getType() == DefaultSerializerConfiguration.Type.VALUE)
                                .withService(new DefaultSerializerConfiguration<>(new StoredVariantsCodec(),
                                        DefaultSerializerConfiguration.Type.VALUE))
                                .withoutServices(DefaultResilienceStrategyConfiguration.class)
                                .withService(new DefaultResilienceStrategyConfiguration(ThrowingResilience.class)))
                        .build());
            } catch (IllegalArgumentException refused) {
                throw refused;
            } catch (RuntimeException | LinkageError unreadable) {
                throw new IllegalArgumentException("cannot read the Ehcache configuration " + configuration + ": " + unreadable, unreadable);
            }
            try {
                manager.init();
                return new Opened(existingCache(manager, alias, configuration.toString()), Optional.of(manager), true);
            } catch (RuntimeException cannotStart) {
                manager.close();
                throw new IllegalStateException("cannot start the Ehcache configuration " + configuration + ": " + cannotStart.getMessage(),
                        cannotStart);
            }
        });
    }

    /**
     * The configuration cacheproxy uses for a cache of its own with these resource pools: {@code String}
     * keys, the store's own value type and binary format, no expiry (freshness decides reuse). For
     * creating the cache in your own manager before {@link #using} it or {@link #fromCacheManager}.
     *
     * @param pools the tiers and their sizes
     * @return the configuration, to finish or pass to a cache manager
     */
    public static CacheConfigurationBuilder<String, ?> cacheConfiguration(ResourcePoolsBuilder pools) {
        return EhcacheTiers.cacheConfiguration(Objects.requireNonNull(pools, "pools"));
    }

    /** The cache as the store's own type, once its configuration says it holds the store's values. */
    @SuppressWarnings("unchecked")
    private static Cache<String, StoredVariants> ours(Cache<String, ?> cache, String what) {
        Class<?> valueType = cache.getRuntimeConfiguration().getValueType();
        if (valueType != StoredVariants.class) {
            throw new IllegalArgumentException(what + " holds values of type " + valueType.getName()
                    + "; create it with EhcacheStore.cacheConfiguration(pools)");
        }
        return (Cache<String, StoredVariants>) cache;
    }

    @Override
    public List<StoredResponse> variants(CacheKey key) {
        ensureOpen();
        String name = key.value();
        StoredVariants variants = heapTier.getIfPresent(name);
        if (variants != null) {
            counters.hit();
            return variants.responses();
        }
        long stamp = heapTier.stamp(name);
        try {
            variants = cache.get(name);
        } catch (RuntimeException | InternalError fault) {
            // InternalError: a memory-mapped disk tier faulted on a bad or missing block.
            throw new CacheStoreException("reading " + key + " failed", fault);
        }
        if (variants != null && variants.isUnreadable()) {
            dropUnreadable(key);
            counters.miss();
            // A fault like any other for the engine: counted, logged once per interval, served as a miss.
            throw new CacheStoreException("the stored entry of " + key + " was unreadable (damaged, truncated or from another "
                    + "format version): dropped");
        }
        if (variants == null) {
            counters.miss();
            return List.of();
        }
        heapTier.offer(name, variants, stamp);
        counters.hit();
        return variants.responses();
    }

    @Override
    public void store(CacheKey key, StoredResponse response) {
        Objects.requireNonNull(response, "response");
        ensureOpen();
        StoredVariants alone = fitting(key, new StoredVariants(List.of(response)), response);
        try {
            for (int attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
                StoredVariants current = cache.get(key.value());
                if (current == null) {
                    if (cache.putIfAbsent(key.value(), alone) == null) {
                        return;
                    }
                } else if (current.isUnreadable()) {
                    counters.corrupt(key.value());
                    if (cache.replace(key.value(), current, alone)) {
                        return;
                    }
                } else if (cache.replace(key.value(), current, fitting(key, current.with(response, maxVariantsPerKey), response))) {
                    return;
                }
            }
        } catch (RuntimeException | InternalError fault) {
            throw new CacheStoreException("storing " + key + " failed", fault);
        } finally {
            // Also after a failed write: whatever Ehcache holds now is read from it again.
            heapTier.invalidate(key.value());
        }
        throw new CacheStoreException("storing " + key + " lost " + MAX_WRITE_ATTEMPTS + " races to other writers");
    }

    /**
     * A quarter of the authoritative tier (disk when there is one, else off-heap) less
     * {@value EhcacheTiers#HEAD_ALLOWANCE} bytes for the head; empty for a cache of your own sized in entries only.
     */
    @Override
    public OptionalLong largestBody() {
        return largestEntry.isPresent()
                ? OptionalLong.of(Math.max(0, largestEntry.getAsLong() - EhcacheTiers.HEAD_ALLOWANCE))
                : OptionalLong.empty();
    }

    @Override
    public void remove(CacheKey key) {
        ensureOpen();
        try {
            cache.remove(key.value());
        } catch (RuntimeException | InternalError fault) {
            throw new CacheStoreException("removing " + key + " failed", fault);
        } finally {
            // Even when the removal failed: a purge never leaves the heap tier serving what it meant to remove.
            heapTier.invalidate(key.value());
        }
    }

    @Override
    public void clear() {
        ensureOpen();
        try {
            cache.clear();
            counters.cleared();
            tags.cleared();
        } catch (RuntimeException fault) {
            throw new CacheStoreException("clearing the cache failed", fault);
        } finally {
            // A clear raises no entry events.
            heapTier.invalidateAll();
        }
    }

    /**
     * Removes every key holding a response tagged {@code tag}. The index of tags lives in this store's
     * memory and follows every change of the cache, including evictions; it is rebuilt from the
     * entries when a persistent cache is opened again.
     */
    @Override
    public long removeTagged(String tag) {
        Objects.requireNonNull(tag, "tag");
        ensureOpen();
        long removed = 0;
        try {
            for (String key : tags.keys(tag)) {
                try {
                    if (cache.containsKey(key)) {
                        cache.remove(key);
                        removed++;
                    }
                } finally {
                    heapTier.invalidate(key);
                }
            }
        } catch (RuntimeException fault) {
            throw new CacheStoreException("removing the entries tagged " + tag + " failed after " + removed, fault);
        }
        return removed;
    }

    /**
     * Entries and bytes count what the cache holds (for a persistent or user-supplied cache, including
     * what it held when the store opened); hits, misses, evictions and corrupt entries count since then.
     * Entries and bytes follow Ehcache's entry events: exact in steady use, approximate when entries are
     * large against a tier (Ehcache can drop an entry it could not place without telling its listeners).
     */
    @Override
    public CacheStoreStatistics statistics() {
        return counters.snapshot();
    }

    /**
     * Closes the cache manager the store started, writing a persistent disk tier out so that the next
     * store on the same directory finds it; a cache the user supplied stays open. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heapTier.invalidateAll();
        if (ownedManager.isPresent()) {
            counters.flushLedger();
            ownedManager.get().close();
        } else {
            try {
                cache.getRuntimeConfiguration().deregisterCacheEventListener(events);
                cache.getRuntimeConfiguration().deregisterCacheEventListener(tagEvents);
            } catch (RuntimeException alreadyClosed) {
                // The user closed their cache first: there is nothing left to detach from.
            }
        }
    }

    /** The entry to write: older variants dropped until it fits the largest entry; refused when the new response alone does not. */
    private StoredVariants fitting(CacheKey key, StoredVariants entry, StoredResponse response) {
        if (largestEntry.isEmpty()) {
            return entry;
        }
        return entry.within(largestEntry.getAsLong()).orElseThrow(() -> new CacheStoreException("not storing " + key
                + ": its body of " + response.body().size() + " bytes does not fit the largest entry this cache keeps ("
                + largestEntry.getAsLong() + " bytes, a quarter of its authoritative tier)"));
    }

    /** The store's heap tier ({@link HeapTier#none()} when Ehcache's own counts entries); for tests. */
    HeapTier heapTier() {
        return heapTier;
    }

    /** The tiers of the cache, for messages. */
    @Override
    public String toString() {
        return "EhcacheStore" + (heapTier.maxBytes() > 0 ? "[heap tier " + heapTier.maxBytes() + " bytes]" : "") + cache.getRuntimeConfiguration().getResourcePools().getResourceTypeSet().stream()
                .map(type -> type + " " + cache.getRuntimeConfiguration().getResourcePools().getPoolForResource(type))
                .toList();
    }

    private void dropUnreadable(CacheKey key) {
        counters.corrupt(key.value());
        try {
            // Conditional, so that a good response a writer stored meanwhile survives.
            cache.remove(key.value(), StoredVariants.UNREADABLE);
        } catch (RuntimeException fault) {
            throw new CacheStoreException("dropping the unreadable entry of " + key + " failed", fault);
        } finally {
            heapTier.invalidate(key.value());
        }
    }

    private void onEntryEvent(CacheEvent<? extends String, ? extends StoredVariants> event) {
        // Ehcache fires its events once the change is visible, so a reader cannot bring the old value back after this.
        heapTier.invalidate(event.getKey());
        switch (event.getType()) {
            case CREATED -> counters.created(event.getNewValue());
            case UPDATED -> counters.updated(event.getOldValue(), event.getNewValue());
            case REMOVED, EXPIRED -> counters.removed(event.getOldValue());
            case EVICTED -> counters.evicted(event.getOldValue());
        }
    }

    private void onTagEvent(CacheEvent<? extends String, ? extends StoredVariants> event) {
        switch (event.getType()) {
            case CREATED, UPDATED -> {
                StoredVariants value = event.getNewValue();
                if (value != null && !value.isUnreadable()) {
                    tags.holds(event.getKey(), value);
                }
            }
            case REMOVED, EXPIRED, EVICTED -> tags.removed(event.getKey());
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the store is closed");
        }
    }

    private static Cache<String, StoredVariants> existingCache(CacheManager manager, String alias, String where) {
        Cache<String, StoredVariants> cache;
        try {
            cache = manager.getCache(alias, String.class, StoredVariants.class);
        } catch (IllegalArgumentException wrongTypes) {
            throw new IllegalArgumentException("the cache \"" + alias + "\" in " + where
                    + " must have key type String and value type " + StoredVariants.class.getName() + ": " + wrongTypes.getMessage(),
                    wrongTypes);
        }
        if (cache == null) {
            throw new IllegalArgumentException(where + " has no cache \"" + alias + "\"");
        }
        return cache;
    }

    /** A cache to work on, and the manager to close with the store when the store started it. */
    private record Opened(Cache<String, StoredVariants> cache, Optional<CacheManager> ownedManager, boolean mayHoldEntries) {
    }

    /** Where the cache comes from; opened at {@link Builder#build()}, not before. */
    private interface Source {
        Opened open();
    }

    /** Configures an {@link EhcacheStore}. Not thread safe. */
    public static final class Builder {
        /** The heap tier's bytes by default: what 1,024 entries of 32 KiB took before the tier was sized in bytes. */
        public static final long DEFAULT_HEAP_BYTES = 32L * 1024 * 1024;
        /**
         * Ehcache's own heap tier under ours when there is a disk tier: Ehcache needs a heap tier to put
         * more than one tier together, and ours keeps the hot entries, so its is as small as it can usefully be.
         */
        static final long EHCACHE_HEAP_ENTRIES_UNDER_OURS = 8;
        /**
         * The most off-heap bytes a store takes by default. Ehcache allocates (and touches) its whole
         * off-heap tier when the store is built, so a library default stays modest; a dedicated proxy
         * sets {@link #offHeapSize(long)}.
         */
        public static final long DEFAULT_OFF_HEAP_BYTES = 64L * 1024 * 1024;
        /** Disk bytes by default, once a directory is given. */
        public static final long DEFAULT_DISK_BYTES = 1024L * 1024 * 1024;

        /** Zero while the heap tier is sized in bytes (the default); else Ehcache's heap tier by entries. */
        private long heapEntries;
        private long heapBytes = DEFAULT_HEAP_BYTES;
        private boolean heapBytesSet;
        private long offHeapBytes = defaultOffHeapSize();
        private Optional<Path> diskDirectory = Optional.empty();
        private long diskBytes = DEFAULT_DISK_BYTES;
        private boolean tiersSet;
        private int maxVariantsPerKey = 16;
        private Optional<Source> source = Optional.empty();
        private boolean quietEhcacheLogs = EhcacheLogLevels.quietByDefault();

        private Builder() {
        }

        /**
         * The off-heap tier of a store whose size is not set: {@value #DEFAULT_OFF_HEAP_BYTES} bytes, or a
         * quarter of the JVM's {@linkplain #directMemoryLimit() direct-memory limit} when that is less, and
         * at least 1 MiB. A quarter leaves the rest of direct memory to the server's network buffers.
         *
         * @return the default off-heap size in bytes
         */
        public static long defaultOffHeapSize() {
            return Math.max(1024 * 1024, Math.min(DEFAULT_OFF_HEAP_BYTES, directMemoryLimit() / 4));
        }

        /**
         * The JVM's limit on direct buffers, where the off-heap tier lives: {@code -XX:MaxDirectMemorySize}
         * when set, else the maximum heap ({@code -Xmx}), which is the JVM's own default for it.
         *
         * @return the limit in bytes
         */
        public static long directMemoryLimit() {
            try {
                String option = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                        .getVMOption("MaxDirectMemorySize").getValue();
                long configured = Long.parseLong(option);
                return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
            } catch (RuntimeException notHotSpot) {
                return Runtime.getRuntime().maxMemory();
            }
        }

        private Builder source(Source userCache) {
            this.source = Optional.of(userCache);
            return this;
        }

        /**
         * Sizes the heap tier in entries instead of bytes, as Ehcache's own heap tier: the behaviour
         * before the heap tier was sized in bytes. Each entry may hold a body of up to the largest
         * object, so the tier's bytes are bounded only by entries × the largest entry. Replaces
         * {@link #heapSize(long)}.
         *
         * @param entries the number of keys, at least 1
         * @return this builder
         */
        public Builder heapEntries(long entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("heap tier needs at least one entry, got " + entries);
            }
            this.heapEntries = entries;
            this.heapBytes = 0;
            this.heapBytesSet = false;
            return tiers();
        }

        /**
         * The heap tier's budget in bytes (default {@value #DEFAULT_HEAP_BYTES}): decoded entries of the
         * hottest keys, weighed by their bodies and fields, so that a budget of 32 MiB holds about 20,000
         * entries of 1 KiB or three of 8 MiB. Which keys stay is Caffeine's frequency-based choice. Also
         * applies to a cache of your own ({@link #using}, {@link #fromCacheManager}, {@link #fromXml}),
         * in front of its tiers. Replaces {@link #heapEntries(long)}.
         *
         * @param bytes the heap budget, at least 1
         * @return this builder
         */
        public Builder heapSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("heap size must be at least 1 byte, got " + bytes);
            }
            this.heapBytes = bytes;
            this.heapBytesSet = true;
            this.heapEntries = 0;
            return this;
        }

        /**
         * The size of the off-heap tier in bytes, at least 1 MiB; the largest entry it takes is a fraction of it.
         *
         * @param bytes the size, at least 1 MiB
         * @return this builder
         */
        public Builder offHeapSize(long bytes) {
            if (bytes < 1024 * 1024) {
                throw new IllegalArgumentException("off-heap tier needs at least 1 MiB, got " + bytes + " bytes");
            }
            this.offHeapBytes = bytes;
            return tiers();
        }

        /**
         * The size of the off-heap tier, in whole mebibytes (at least 1).
         *
         * @param megabytes the size in MiB, at least 1
         * @return this builder
         */
        public Builder offHeapMegabytes(long megabytes) {
            if (megabytes < 1 || megabytes > Long.MAX_VALUE / (1024 * 1024)) {
                throw new IllegalArgumentException("off-heap tier needs at least 1 MiB, got " + megabytes);
            }
            return offHeapSize(megabytes * 1024 * 1024);
        }

        /**
         * Adds a persistent disk tier in this directory (created if missing): what is stored survives
         * {@link EhcacheStore#close()} and a restart. One store at a time may use a directory.
         *
         * @param directory the directory, used by this store alone
         * @return this builder
         */
        public Builder persistentDirectory(Path directory) {
            this.diskDirectory = Optional.of(Objects.requireNonNull(directory, "directory"));
            return tiers();
        }

        /**
         * The size of the disk tier in bytes, larger than the off-heap tier; default 1 GiB.
         *
         * @param bytes the size, larger than the off-heap tier
         * @return this builder
         */
        public Builder diskSize(long bytes) {
            if (bytes < 1024 * 1024) {
                throw new IllegalArgumentException("disk tier needs at least 1 MiB, got " + bytes + " bytes");
            }
            this.diskBytes = bytes;
            return tiers();
        }

        /**
         * How many {@code Vary} variants one URI may have; the oldest goes first.
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
         * Whether the store, when it opens tiers of its own, sets Ehcache's loggers ({@code org.ehcache},
         * {@code org.terracotta}) to WARN in your SLF4J backend where your logging configuration sets no
         * level for them. Default true, or the system property {@code cacheproxy.ehcache.quietLogs}:
         * Ehcache otherwise logs at INFO each cache it creates and removes and each off-heap allocation.
         * False leaves Ehcache's levels as your backend has them.
         *
         * @param quiet false to keep Ehcache's INFO lines
         * @return this builder
         */
        public Builder quietEhcacheLogs(boolean quiet) {
            this.quietEhcacheLogs = quiet;
            return this;
        }

        /**
         * Starts the store.
         *
         * @return the started store
         * @throws IllegalArgumentException for tiers Ehcache cannot build, or a user configuration that does not fit
         * @throws IllegalStateException    when the disk directory is in use by another store or process
         */
        public EhcacheStore build() {
            if (source.isPresent()) {
                if (tiersSet) {
                    throw new IllegalStateException("tier sizes and a disk directory apply to a cache the store creates, "
                            + "not to one you supply: configure those on your cache");
                }
                Opened opened = source.get().open();
                HeapTier heapTier = heapBytesSet ? HeapTier.ofBytes(heapBytes) : HeapTier.none();
                return new EhcacheStore(opened.cache(), heapTier, opened.ownedManager(), maxVariantsPerKey, opened.mayHoldEntries());
            }
            boolean ours = heapEntries == 0;
            long ehcacheHeapEntries = ours ? (diskDirectory.isPresent() ? EHCACHE_HEAP_ENTRIES_UNDER_OURS : 0) : heapEntries;
            EhcacheTiers tiers = new EhcacheTiers(ehcacheHeapEntries, offHeapBytes,
                    diskDirectory.map(directory -> new EhcacheTiers.DiskTier(directory, diskBytes)));
            if (quietEhcacheLogs) {
                // Before Ehcache's classes create their loggers: some backends fix a level at creation.
                EhcacheLogLevels.quietUnlessConfigured();
            }
            EhcacheTiers.OpenTiers open = tiers.open();
            CacheManager manager = open.manager();
            Cache<String, StoredVariants> cache = manager.getCache(EhcacheTiers.CACHE_ALIAS, String.class, StoredVariants.class);
            EhcacheStore store = new EhcacheStore(cache, ours ? HeapTier.ofBytes(heapBytes) : HeapTier.none(), Optional.of(manager),
                    maxVariantsPerKey, diskDirectory.isPresent());
            // A disk tier lost at start counts as corrupt entries; its count is kept for the next start to report.
            store.counters.droppedAtOpen(open.droppedEntries());
            open.ledger().ifPresent(store.counters::keepIn);
            return store;
        }

        private Builder tiers() {
            tiersSet = true;
            return this;
        }
    }
}
