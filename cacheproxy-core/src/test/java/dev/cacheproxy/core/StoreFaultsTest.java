package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.Optional;
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

    @Test
    void aStoreThatThrowsOnPutServesTheResponseWholeCountsTheFaultAndResumesWhenItTakesWritesAgain() {
        Switchable store = new Switchable(EhcacheStore.builder().offHeapMegabytes(4).build());
        URI page = URI.create("http://origin.test/page");
        try (CachingEngine engine = CachingEngine.builder().store(store).clock(clock).collapseTimeout(Duration.ZERO).build()) {
            store.failing = Operation.PUT;
            Relay first = fetchThroughOrigin(engine, page, "the page");
            assertEquals(1, engine.statistics().storeFaults());
            assertEquals(0, engine.statistics().stored());

            Relay second = fetchThroughOrigin(engine, page, "the page");
            assertFalse(second.cacheStatus().stored(), "the store failed its last write: not announced as stored");
            assertTrue(second.cacheStatus().toHeaderValue().contains("the store failed its last write"),
                    second.cacheStatus().toHeaderValue());
            assertEquals(2, engine.statistics().storeFaults());
            assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(page)), "nothing was stored");

            store.failing = Operation.NONE; // space came back
            Relay third = fetchThroughOrigin(engine, page, "the page");
            assertFalse(third.cacheStatus().stored(), "still not announced: the write is tried, not promised");
            Answer hit = assertInstanceOf(Answer.class, engine.onClientRequest(get(page)), "but it was taken");
            assertEquals("the page", hit.body().utf8());
            Relay fourth = fetchThroughOrigin(engine, URI.create("http://origin.test/other"), "other");
            assertTrue(fourth.cacheStatus().stored(), "announced again once the store takes writes");
            assertTrue(first.cacheStatus().stored(), "the first fault could not be known when its head went out");
            assertEquals(2, engine.statistics().stored());
        }
    }

    @Test
    void aStoreThatThrowsOnGetIsAMissAndIsCounted() {
        Switchable store = new Switchable(EhcacheStore.builder().offHeapMegabytes(4).build());
        URI page = URI.create("http://origin.test/page");
        try (CachingEngine engine = CachingEngine.builder().store(store).clock(clock).collapseTimeout(Duration.ZERO).build()) {
            fetchThroughOrigin(engine, page, "the page");
            store.failing = Operation.GET;

            for (int request = 0; request < 3; request++) {
                assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(page)));
                assertEquals(Optional.empty(), engine.answerFromCache(get(page)));
            }
            assertEquals(6, engine.statistics().storeFaults());
            store.failing = Operation.NONE;
            assertInstanceOf(Answer.class, engine.onClientRequest(get(page)), "the entry was kept");
        }
    }

    @Test
    void aStoreThatThrowsOnRemoveStillRelaysTheUnsafeRequestsResponse() {
        Switchable store = new Switchable(EhcacheStore.builder().offHeapMegabytes(4).build());
        URI page = URI.create("http://origin.test/page");
        try (CachingEngine engine = CachingEngine.builder().store(store).clock(clock).build()) {
            store.failing = Operation.REMOVE;
            ToOrigin post = assertInstanceOf(ToOrigin.class, engine.onClientRequest(new RequestHead("POST", page, HeaderFields.empty())));
            Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(post, new ResponseHead(204, HeaderFields.empty())));

            assertEquals(204, relay.response().status());
            assertEquals(1, engine.statistics().storeFaults());
        }
    }

    @Test
    void aFaultedMemoryMappedFileIsAStoreFaultNotAClientError() {
        Switchable store = new Switchable(EhcacheStore.builder().offHeapMegabytes(4).build());
        store.failure = () -> new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code");
        URI page = URI.create("http://origin.test/page");
        try (CachingEngine engine = CachingEngine.builder().store(store).clock(clock).build()) {
            store.failing = Operation.ALL;
            fetchThroughOrigin(engine, page, "the page");
            assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(page)));
            assertEquals(3, engine.statistics().storeFaults(), "read, write, read");
        }
    }

    @Test
    void aMaximumObjectSizeTheStoreCannotKeepFailsTheBuildWithTheNumbers() {
        try (EhcacheStore oneMebibyte = EhcacheStore.builder().offHeapMegabytes(1).build()) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> CachingEngine.builder().store(oneMebibyte).maxObjectSize(2 * 1024 * 1024).build());

            assertTrue(refused.getMessage().contains("2097152 bytes"), refused.getMessage());
            assertTrue(refused.getMessage().contains(Long.toString(oneMebibyte.largestBody().getAsLong())), refused.getMessage());
            assertTrue(refused.getMessage().contains("offheap"), refused.getMessage());
        }
    }

    @Test
    void aBodyTooLargeForTheStoreIsNeverAnnouncedAsStoredAndLeavesNoFault() {
        try (CachingEngine engine = CachingEngine.builder().store(EhcacheStore.builder().offHeapMegabytes(1).build())
                .clock(clock).build()) {
            URI big = URI.create("http://origin.test/two-mebibytes");
            byte[] body = new byte[2 * 1024 * 1024];
            for (int attempt = 0; attempt < 3; attempt++) {
                ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(big)), "never a hit");
                Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, new ResponseHead(200, HeaderFields.of(
                        "Cache-Control", "max-age=60", "Date", HttpDates.format(clock.instant()), "Content-Length", Integer.toString(body.length)))));
                assertFalse(relay.cacheStatus().stored(), relay.cacheStatus().toHeaderValue());
                relay.capture().append(ByteBuffer.wrap(body));
                relay.capture().complete();
            }
            assertEquals(0, engine.statistics().storeFaults());
            assertEquals(3, engine.statistics().skippedTooBig());

            // Without a Content-Length the body is found too big as it streams: skipped, not a fault.
            ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(big)));
            Relay chunked = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, new ResponseHead(200,
                    HeaderFields.of("Cache-Control", "max-age=60", "Date", HttpDates.format(clock.instant())))));
            chunked.capture().append(ByteBuffer.wrap(body));
            chunked.capture().complete();
            assertEquals(0, engine.statistics().storeFaults());
            assertEquals(4, engine.statistics().skippedTooBig());
        }
    }

    private Relay fetchThroughOrigin(CachingEngine engine, URI uri, String body) {
        ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(uri)));
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, new ResponseHead(200,
                HeaderFields.of("Cache-Control", "max-age=60", "Date", HttpDates.format(clock.instant())))));
        relay.capture().append(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
        relay.capture().complete();
        return relay;
    }

    private enum Operation { NONE, PUT, GET, REMOVE, ALL }

    /** A store that fails one kind of operation while told to, as a full or failing disk would. */
    static final class Switchable implements CacheStore {
        private final CacheStore delegate;
        volatile Operation failing = Operation.NONE;
        volatile java.util.function.Supplier<Error> failure = () -> null;

        Switchable(CacheStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<StoredResponse> variants(CacheKey key) {
            check(Operation.GET);
            return delegate.variants(key);
        }

        @Override
        public void store(CacheKey key, StoredResponse response) {
            check(Operation.PUT);
            delegate.store(key, response);
        }

        @Override
        public void remove(CacheKey key) {
            check(Operation.REMOVE);
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

        private void check(Operation operation) {
            if (failing == operation || failing == Operation.ALL) {
                Error error = failure.get();
                if (error != null) {
                    throw error;
                }
                throw new CacheStoreException("No space left on device (" + operation + ")");
            }
        }
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
