package dev.cacheproxy.store;

import java.util.Map;
import org.ehcache.Cache;
import org.ehcache.spi.resilience.RecoveryStore;
import org.ehcache.spi.resilience.ResilienceStrategy;
import org.ehcache.spi.resilience.StoreAccessException;

/**
 * What our Ehcache caches do when a tier fails an operation (a value too large for a tier, a disk
 * fault): drop what the key held, so nothing half-written is served, then throw. Ehcache's default
 * strategy swallows the failure, logs a stack trace at INFO for every occurrence, and lets a refused
 * write look like a success; throwing lets {@link EhcacheStore} report a {@code CacheStoreException},
 * which the engine counts, logs once per interval and turns into a miss or a skipped write.
 *
 * <p>Public only because Ehcache instantiates it by reflection, with the cache's {@link RecoveryStore};
 * {@link EhcacheStore#cacheConfiguration} configures it. Not for other use.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class ThrowingResilience<K, V> implements ResilienceStrategy<K, V> {

    private final RecoveryStore<K> store;

    /**
     * The constructor Ehcache calls, with the store to clean up.
     *
     * @param store the store whose keys a failed tier leaves to be cleaned up
     */
    public ThrowingResilience(RecoveryStore<K> store) {
        this.store = store;
    }

    /** A tier failed; the key it concerned holds nothing now. Unchecked, so that it crosses Ehcache's API. */
    static final class TierFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TierFault(String operation, StoreAccessException cause) {
            super("the cache tier failed to " + operation + ": " + rootMessage(cause), cause);
        }

        private static String rootMessage(Throwable fault) {
            Throwable cause = fault;
            while (cause.getCause() != null && cause.getCause() != cause && cause.getMessage() == null) {
                cause = cause.getCause();
            }
            return String.valueOf(cause.getMessage());
        }
    }

    private TierFault fault(K key, String operation, StoreAccessException cause) {
        try {
            store.obliterate(key);
        } catch (StoreAccessException | RuntimeException cannotClean) {
            cause.addSuppressed(cannotClean);
        }
        return new TierFault(operation, cause);
    }

    private TierFault fault(Iterable<? extends K> keys, String operation, StoreAccessException cause) {
        try {
            store.obliterate(keys);
        } catch (StoreAccessException | RuntimeException cannotClean) {
            cause.addSuppressed(cannotClean);
        }
        return new TierFault(operation, cause);
    }

    @Override
    public V getFailure(K key, StoreAccessException e) {
        throw fault(key, "read", e);
    }

    @Override
    public boolean containsKeyFailure(K key, StoreAccessException e) {
        throw fault(key, "look up", e);
    }

    @Override
    public void putFailure(K key, V value, StoreAccessException e) {
        throw fault(key, "store", e);
    }

    @Override
    public void removeFailure(K key, StoreAccessException e) {
        throw fault(key, "remove", e);
    }

    @Override
    public void clearFailure(StoreAccessException e) {
        throw new TierFault("clear", e);
    }

    @Override
    public Cache.Entry<K, V> iteratorFailure(StoreAccessException e) {
        throw new TierFault("iterate", e);
    }

    @Override
    public V putIfAbsentFailure(K key, V value, StoreAccessException e) {
        throw fault(key, "store", e);
    }

    @Override
    public boolean removeFailure(K key, V value, StoreAccessException e) {
        throw fault(key, "remove", e);
    }

    @Override
    public V replaceFailure(K key, V value, StoreAccessException e) {
        throw fault(key, "store", e);
    }

    @Override
    public boolean replaceFailure(K key, V value, V newValue, StoreAccessException e) {
        throw fault(key, "store", e);
    }

    @Override
    public Map<K, V> getAllFailure(Iterable<? extends K> keys, StoreAccessException e) {
        throw fault(keys, "read", e);
    }

    @Override
    public void putAllFailure(Map<? extends K, ? extends V> entries, StoreAccessException e) {
        throw fault(entries.keySet(), "store", e);
    }

    @Override
    public void removeAllFailure(Iterable<? extends K> keys, StoreAccessException e) {
        throw fault(keys, "remove", e);
    }
}
