package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A store of a user's own, in a few lines on a {@link ConcurrentMap}, passes the whole store contract
 * because {@link CacheStore#withVariant} merges variants for it; and that merge, row by row.
 */
final class MapStoreTest extends CacheStoreContract {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @Override
    protected CacheStore newStore() {
        return new MapStore(16);
    }

    @Test
    void storingReplacesTheSameVariantKeepsOthersOldestFirstAndDropsTheOldestBeyondTheLimit() {
        StoredResponse gzipOld = variant("gzip", 0);
        StoredResponse brotli = variant("br", 1);
        StoredResponse gzipNew = variant("gzip", 2);
        StoredResponse plain = variant("identity", 3);

        assertEquals(List.of(gzipOld), CacheStore.withVariant(List.of(), gzipOld, 2));
        assertEquals(List.of(brotli, gzipNew), CacheStore.withVariant(List.of(gzipOld, brotli), gzipNew, 2));
        assertEquals(List.of(gzipNew, plain), CacheStore.withVariant(List.of(brotli, gzipNew), plain, 2));
        assertThrows(IllegalArgumentException.class, () -> CacheStore.withVariant(List.of(), plain, 0));
    }

    private static StoredResponse variant(String encoding, long secondsAfterT0) {
        Instant at = T0.plusSeconds(secondsAfterT0);
        return new StoredResponse(new ResponseHead(200, HeaderFields.of("Vary", "Accept-Encoding")), Body.ofUtf8(encoding),
                "accept-encoding=" + encoding, at, at, Duration.ofSeconds(60));
    }

    /** What a third-party store needs to write: its own atomic update, with the merge done by the api. */
    private static final class MapStore implements CacheStore {
        private final ConcurrentMap<CacheKey, List<StoredResponse>> entries = new ConcurrentHashMap<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final int maxVariants;

        MapStore(int maxVariants) {
            this.maxVariants = maxVariants;
        }

        @Override
        public List<StoredResponse> variants(CacheKey key) {
            open();
            return entries.getOrDefault(key, List.of());
        }

        @Override
        public void store(CacheKey key, StoredResponse response) {
            open();
            entries.compute(key, (k, current) -> CacheStore.withVariant(current == null ? List.of() : current, response, maxVariants));
        }

        @Override
        public void remove(CacheKey key) {
            open();
            entries.remove(key);
        }

        @Override
        public void clear() {
            open();
            entries.clear();
        }

        @Override
        public void close() {
            closed.set(true);
        }

        private void open() {
            if (closed.get()) {
                throw new IllegalStateException("the store is closed");
            }
        }
    }
}
