package dev.cacheproxy.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.StoredResponse;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The heap tier of an {@link EhcacheStore}: decoded entries of the hottest keys, held in a Caffeine
 * cache bounded by an estimate of their bytes on the heap, in front of the Ehcache tiers (which stay
 * the authority). A hit here decodes nothing and allocates nothing. A key enters on its second read from
 * the cache behind within a short window ({@link RecentReads}): one read is no sign of a hot key.
 *
 * <p>Coherent with the cache behind it: the store calls {@link #invalidate} after every change of a key
 * there (its own writes and removals, and Ehcache's entry events, which fire once the change is
 * visible: evictions included), and {@link #invalidateAll} after a clear. A reader that brings a value
 * up from Ehcache notes a {@linkplain #stamp stamp} of the key's stripe first and {@linkplain #admit
 * admits} the value, atomically, only while the stamp is unchanged, so a value read just before a change
 * is never served after the change returned: either the change's invalidation removes it, or it is
 * never inserted. No lock is held while calling Ehcache, so no lock order can
 * deadlock with Ehcache's own.
 *
 * <p>Thread safe.
 */
final class HeapTier {

    /** Stripes of change stamps; a change to one key only makes concurrent readers of the keys sharing its stripe retry later. */
    private static final int STRIPES = 4096;
    /*
     * The allowances below are calibrated on a measurement: 20,000 entries of a 1 KiB body with nginx's
     * nine response fields took 1,572 bytes of heap each (after a full GC), which they estimate at 1,692.
     * Decoded fields share their strings with other entries (FieldStrings), so a field costs little
     * beyond its characters.
     */
    /** Bytes a stored response costs on the heap beyond its fields and body: the records, the list, the instants. */
    static final int RESPONSE_OVERHEAD = 160;
    /** Bytes a header field costs on the heap beyond its characters: its place in the list and its record. */
    static final int FIELD_OVERHEAD = 16;
    /** Bytes an entry costs in the tier's own structures: the node, the key string, the list of variants. */
    static final int ENTRY_OVERHEAD = 96;

    /**
     * One read in this many is recorded for the eviction policy. Recording a read costs a write to
     * Caffeine's read buffer and, every few reads, draining it on the reading thread (the executor runs
     * in place); the other reads only look the key up. A uniform sample ranks keys by frequency as every
     * read does, so which keys stay barely changes.
     */
    private static final int RECORD_ONE_READ_IN = 16;

    private static final HeapTier NONE = new HeapTier(0);

    /** Empty when the heap tier is off: then every read goes to Ehcache. */
    private final Cache<String, StoredVariants> entries;
    private final Policy<String, StoredVariants> policy;
    private final long maxBytes;
    private final AtomicLongArray stamps = new AtomicLongArray(STRIPES);
    private final RecentReads recentReads = new RecentReads();

    private HeapTier(long maxBytes) {
        this.maxBytes = maxBytes;
        this.entries = maxBytes == 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String key, StoredVariants value) -> (int) Math.min(Integer.MAX_VALUE, weight(key, value)))
                // Eviction runs on the thread that overfilled the tier: no hand-off to a pool on a small machine.
                .executor(Runnable::run)
                .build();
        this.policy = entries == null ? null : entries.policy();
    }

    /** A heap tier that holds at most about {@code maxBytes} of entries, as {@link #weight} estimates them. */
    static HeapTier ofBytes(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("the heap tier needs at least 1 byte, got " + maxBytes);
        }
        return new HeapTier(maxBytes);
    }

    /** No heap tier of ours: every read goes to the cache behind (which may have a heap tier of its own). */
    static HeapTier none() {
        return NONE;
    }

    /** The budget in bytes; zero when there is no heap tier. */
    long maxBytes() {
        return maxBytes;
    }

    /**
     * The entry held for this key, or {@code null} when none is. A null rather than an {@code Optional}:
     * this runs once per hit, and a hit should allocate nothing here.
     */
    StoredVariants getIfPresent(String key) {
        if (entries == null) {
            return null;
        }
        return ThreadLocalRandom.current().nextInt(RECORD_ONE_READ_IN) == 0 ? entries.getIfPresent(key) : policy.getIfPresentQuietly(key);
    }

    /** The entry held for this key without recording the read, or {@code null}; for tests. */
    StoredVariants policyFreeGet(String key) {
        return entries == null ? null : policy.getIfPresentQuietly(key);
    }

    /** The change stamp of the key's stripe: note it before reading the key from the cache behind. */
    long stamp(String key) {
        return entries == null ? 0 : stamps.get(stripe(key));
    }

    /**
     * Offers a value just read from the cache behind: held ({@link #admit}) when its key was read from
     * there before within {@link RecentReads}' window, so that a working set larger than the tier, read
     * evenly, does not churn through it.
     */
    void offer(String key, StoredVariants value, long stamp) {
        if (entries != null && recentReads.readBefore(key)) {
            admit(key, value, stamp);
        }
    }

    /**
     * Holds a value just read from the cache behind, unless the key changed since {@code stamp} was
     * noted (then the value may already be out of date, and it is dropped again).
     */
    void admit(String key, StoredVariants value, long stamp) {
        if (entries == null || value.isUnreadable() || weight(key, value) > maxBytes) {
            return;
        }
        int stripe = stripe(key);
        // Inserted under the map's lock for the key, and only while the stamp has not moved: a change
        // moves the stamp and then invalidates under that same lock, so either the value is never
        // inserted or the invalidation finds and removes it. Inserting first and checking after would
        // let another reader see the old value after the change returned.
        entries.asMap().compute(key, (k, held) -> held != null || stamps.get(stripe) != stamp ? held : value);
    }

    /** The key changed (or may have) in the cache behind: forget what is held for it. Call after the change is visible. */
    void invalidate(String key) {
        if (entries == null) {
            return;
        }
        stamps.incrementAndGet(stripe(key));
        entries.invalidate(key);
    }

    /** Every key changed in the cache behind (a clear): forget everything. Call after the change is visible. */
    void invalidateAll() {
        if (entries == null) {
            return;
        }
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            stamps.incrementAndGet(stripe);
        }
        entries.invalidateAll();
    }

    /** How many entries are held now (after pending evictions ran); for tests and statistics. */
    long entryCount() {
        if (entries == null) {
            return 0;
        }
        entries.cleanUp();
        return entries.estimatedSize();
    }

    /** The estimated bytes held now (after pending evictions ran). */
    long weightedBytes() {
        if (entries == null) {
            return 0;
        }
        entries.cleanUp();
        return entries.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0)).orElse(0L);
    }

    /**
     * What an entry costs on the heap, estimated from its parts: the bodies' bytes, the fields'
     * characters (Latin-1 strings hold a byte per character, as header values almost always are), and a
     * fixed allowance per object.
     */
    static long weight(String key, StoredVariants value) {
        long bytes = ENTRY_OVERHEAD + key.length();
        for (StoredResponse response : value.responses()) {
            bytes += RESPONSE_OVERHEAD + response.variantKey().length() + response.body().size();
            for (HeaderField field : response.headers().lines()) {
                bytes += FIELD_OVERHEAD + field.name().length() + field.value().length();
            }
        }
        return bytes;
    }

    private static int stripe(String key) {
        int hash = key.hashCode();
        return (hash ^ (hash >>> 16)) & (STRIPES - 1);
    }
}
