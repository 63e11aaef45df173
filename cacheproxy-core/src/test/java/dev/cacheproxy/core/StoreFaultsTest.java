package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A store that fails, for one key or for all: the engine keeps serving, and the log is not flooded. */
final class StoreFaultsTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));

    @Test
    void aStoreThatThrowsForOneKeyServesItUncachedAndKeepsEveryOtherEntry() {
        URI broken = URI.create("http://origin.test/broken");
        BrokenForOneKey store = new BrokenForOneKey(EhcacheStore.builder().offHeapMegabytes(4).build(), CacheKey.of(broken));
        try (CachingEngine engine = CachingEngine.builder().store(store).clock(clock).build()) {
            for (String path : List.of("/a", "/broken", "/b")) {
                fetchThroughOrigin(engine, URI.create("http://origin.test" + path), "body of " + path);
            }
            clock.advance(Duration.ofSeconds(5));

            for (String path : List.of("/a", "/b")) {
                Answer hit = assertInstanceOf(Answer.class, engine.onClientRequest(get(URI.create("http://origin.test" + path))));
                assertEquals("body of " + path, hit.body().utf8());
            }
            assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(broken)), "a failing read is a miss");
            assertTrue(store.faults.get() >= 2, "both the write and the read of the broken key failed");
        }
    }

    @Test
    void eachKindOfFaultIsLetThroughToTheLogOncePerIntervalNotOncePerRequest() {
        LogThrottle throttle = new LogThrottle(Duration.ofHours(1));

        assertEquals(0, throttle.tryAcquire(), "the first fault is logged");
        for (int request = 0; request < 1000; request++) {
            assertEquals(-1, throttle.tryAcquire(), "later ones in the interval are only counted");
        }
        assertEquals(0, new LogThrottle(Duration.ofHours(1)).tryAcquire(), "another kind of fault has a throttle of its own");
    }

    @Test
    void aGuardedStoreTurnsEveryFaultIntoAMissOrASkippedWrite() {
        GuardedStore guarded = new GuardedStore(new BrokenForOneKey(EhcacheStore.builder().offHeapMegabytes(4).build(), null),
                Duration.ofHours(1));
        CacheKey key = CacheKey.of(URI.create("http://origin.test/any"));
        StoredResponse response = new StoredResponse(new ResponseHead(200, HeaderFields.empty()),
                dev.cacheproxy.api.Body.ofUtf8("x"), "", clock.instant(), clock.instant(), Duration.ofSeconds(60));

        for (int request = 0; request < 100; request++) {
            assertEquals(List.of(), guarded.variants(key));
            assertFalse(guarded.store(key, response));
            guarded.remove(key);
        }
        guarded.unguarded().close();
    }

    private void fetchThroughOrigin(CachingEngine engine, URI uri, String body) {
        ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(uri)));
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, new ResponseHead(200,
                HeaderFields.of("Cache-Control", "max-age=60", "Date", HttpDates.format(clock.instant())))));
        relay.capture().append(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
        relay.capture().complete();
    }

    private static RequestHead get(URI uri) {
        return new RequestHead("GET", uri, HeaderFields.empty());
    }

    /** A store that fails every operation on one key (every key when that is null), as a bad sector or a lost node would. */
    static final class BrokenForOneKey implements CacheStore {
        private final CacheStore delegate;
        private final CacheKey broken;
        private final AtomicInteger faults = new AtomicInteger();

        BrokenForOneKey(CacheStore delegate, CacheKey broken) {
            this.delegate = delegate;
            this.broken = broken;
        }

        @Override
        public List<StoredResponse> variants(CacheKey key) {
            check(key);
            return delegate.variants(key);
        }

        @Override
        public void store(CacheKey key, StoredResponse response) {
            check(key);
            delegate.store(key, response);
        }

        @Override
        public void remove(CacheKey key) {
            check(key);
            delegate.remove(key);
        }

        @Override
        public void clear() {
            delegate.clear();
        }

        @Override
        public void close() {
            delegate.close();
        }

        private void check(CacheKey key) {
            if (broken == null || broken.equals(key)) {
                faults.incrementAndGet();
                throw new CacheStoreException("bad sector under " + key);
            }
        }
    }
}
