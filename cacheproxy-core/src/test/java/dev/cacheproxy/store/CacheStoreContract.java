package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.CacheTags;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.api.TaggedStore;
import dev.cacheproxy.core.CachingEngine;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CacheStore} must do, as tests. Extend it with a class that makes your store:
 *
 * <pre>{@code
 * final class MyStoreTest extends CacheStoreContract {
 *     protected CacheStore newStore() { return new MyStore(...); }
 * }
 * }</pre>
 *
 * <p>Published in cacheproxy-core's test-jar ({@code <type>test-jar</type>}), so that a store of your
 * own can be checked against the same contract as the ones cacheproxy ships. Each test gets a new,
 * empty store from {@link #newStore()} and closes it afterwards. The store must hold at least 16
 * variants per key and bodies of a few mebibytes.
 */
public abstract class CacheStoreContract {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final int WRITERS = 8;
    private static final int ROUNDS = 25;

    /** The store under test, fresh and empty for each test. */
    protected CacheStore store;

    /** A new, empty store; called once per test. */
    protected abstract CacheStore newStore();

    /**
     * A store whose backend has failed (closed underneath it, disconnected...), or empty when the
     * store cannot be made to fail from the outside; the failure tests are then skipped.
     */
    protected Optional<CacheStore> newStoreWithFailedBackend() {
        return Optional.empty();
    }

    /**
     * Damages what {@link #store} holds for this key, as a bad disk block or a torn write would (one
     * flipped bit, say), or returns false when the store's entries cannot be reached from the outside;
     * the damaged-entry tests are then skipped. Default false.
     *
     * @param key the key whose stored entry to damage
     * @return whether the entry was damaged
     */
    protected boolean damage(CacheKey key) {
        return false;
    }

    @BeforeEach
    final void openStore() {
        store = newStore();
    }

    @AfterEach
    final void closeStore() {
        store.close();
    }

    /** A key of this test's own, so that stores shared between tests do not see each other. */
    protected static CacheKey key(String path) {
        return CacheKey.of(URI.create("http://contract.test/" + path));
    }

    @Test
    public void aStoredResponseIsFoundUnderItsKeyAndNoOther() {
        StoredResponse response = response("gzip", "zipped", T0);
        store.store(key("a"), response);

        assertEquals(List.of(response), store.variants(key("a")));
        assertEquals(List.of(), store.variants(key("b")));
    }

    @Test
    public void everyPartOfAStoredResponseComesBackAsItWasStored() {
        byte[] everyByte = new byte[512];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        HeaderFields headers = HeaderFields.builder()
                .add("Cache-Control", "max-age=60").add("Set-Cookie", "a=1").add("set-cookie", "b=2")
                .add("Content-Type", "text/plain; charset=utf-8").add("X-Unicode", "caf\u00e9 \u263a").add("X-Empty", "")
                .build();
        StoredResponse response = new StoredResponse(new ResponseHead(203, headers), Body.of(everyByte), "accept=text/plain",
                T0.plusNanos(123_456_789), T0.plusSeconds(1).plusNanos(42), Duration.ofSeconds(60, 5));
        store.store(key("parts"), response);

        StoredResponse found = store.variants(key("parts")).get(0);
        assertEquals(response, found);
        assertEquals(headers.lines(), found.headers().lines());
        assertArrayEquals(everyByte, found.body().toByteArray());
    }

    @Test
    public void aNewResponseReplacesItsOwnVariantAndKeepsTheOthers() {
        store.store(key("v"), response("gzip", "old zipped", T0));
        store.store(key("v"), response("br", "brotli", T0.plusSeconds(1)));
        store.store(key("v"), response("gzip", "new zipped", T0.plusSeconds(2)));

        List<String> bodies = bodies(store.variants(key("v")));
        assertEquals(2, bodies.size(), bodies.toString());
        assertTrue(bodies.containsAll(List.of("new zipped", "brotli")), bodies.toString());
    }

    @Test
    public void manyVariantsOfOneKeyAreEachFoundByTheirVariantKey() {
        for (int i = 0; i < 16; i++) {
            store.store(key("many"), response("lang-" + i, "body " + i, T0.plusSeconds(i)));
        }

        List<StoredResponse> variants = store.variants(key("many"));
        assertEquals(16, variants.size());
        for (StoredResponse variant : variants) {
            assertEquals("body " + variant.variantKey().substring("accept-encoding=lang-".length()), variant.body().utf8());
        }
    }

    @Test
    public void removeForgetsEveryVariantOfThatKeyAndNothingElse() {
        store.store(key("r"), response("gzip", "one", T0));
        store.store(key("r"), response("br", "two", T0));
        store.store(key("kept"), response("gzip", "three", T0));

        store.remove(key("r"));
        store.remove(key("never-stored"));

        assertEquals(List.of(), store.variants(key("r")));
        assertEquals(List.of("three"), bodies(store.variants(key("kept"))));
    }

    @Test
    public void clearForgetsEverything() {
        store.store(key("c1"), response("gzip", "one", T0));
        store.store(key("c2"), response("gzip", "two", T0));

        store.clear();

        assertEquals(List.of(), store.variants(key("c1")));
        assertEquals(List.of(), store.variants(key("c2")));
    }

    /** For a {@link TaggedStore}: a tag finds every key with a variant that carries it, and not keys that never had it. */
    @Test
    public void aTaggedStoreRemovesEveryKeyWithAVariantTaggedSoAndNoOther() {
        Assumptions.assumeTrue(store instanceof TaggedStore, "not a TaggedStore");
        TaggedStore tagged = (TaggedStore) store;
        tagged.store(key("t1"), tagged(response("gzip", "one", T0), "product-7 all"));
        tagged.store(key("t1"), response("br", "untagged variant", T0));
        tagged.store(key("t2"), tagged(response("gzip", "two", T0), "all product-7"));
        tagged.store(key("t3"), tagged(response("gzip", "three", T0), "all"));

        assertEquals(2, tagged.removeTagged("product-7"));

        assertEquals(List.of(), store.variants(key("t1")));
        assertEquals(List.of(), store.variants(key("t2")));
        assertEquals(List.of("three"), bodies(store.variants(key("t3"))));
        assertEquals(0, tagged.removeTagged("product-7"));
        assertEquals(1, tagged.removeTagged("all"));
        assertEquals(0, tagged.removeTagged("never-used"));
    }

    /** This response with these tags, as the engine stores it. */
    protected static StoredResponse tagged(StoredResponse response, String tags) {
        return new StoredResponse(response.head().withHeaders(response.headers().with(CacheTags.FIELD, tags)), response.body(),
                response.variantKey(), response.requestTime(), response.responseTime(), response.freshnessLifetime());
    }

    @Test
    public void concurrentWritersOfOneKeyLeaveOnlyWholeResponsesOfTheirOwnVariants() throws Exception {
        CacheKey key = key("contended");
        Map<String, byte[]> written = new ConcurrentHashMap<>();
        runConcurrently(WRITERS, writer -> {
            for (int round = 0; round < ROUNDS; round++) {
                String variant = "writer-" + writer;
                byte[] body = randomBody(writer * 1000 + round, 4096 + round * 97);
                StoredResponse response = response(variant, body, T0.plusSeconds(round));
                written.put(variant + "#" + round, body);
                try {
                    store.store(key, response);
                } catch (CacheStoreException skipped) {
                    // The contract allows a contended write to be skipped, never a mixed entry.
                }
                checkWhole(store.variants(key), written);
            }
        });

        List<StoredResponse> survivors = store.variants(key);
        assertFalse(survivors.isEmpty(), "after every writer finished, something is stored");
        checkWhole(survivors, written);
    }

    @Test
    public void aBodyBeingWrittenIsNeverSeenInPart() throws Exception {
        CacheKey key = key("large");
        byte[] first = randomBody(1, 2 * 1024 * 1024);
        byte[] second = randomBody(2, 2 * 1024 * 1024 + 17);
        store.store(key, response("gzip", first, T0));
        AtomicBoolean writing = new AtomicBoolean(true);
        Map<String, byte[]> written = Map.of("gzip#0", first, "gzip#1", second);

        runConcurrently(4, thread -> {
            if (thread == 0) {
                try {
                    for (int round = 0; round < 6; round++) {
                        store.store(key, response("gzip", round % 2 == 0 ? second : first, T0.plusSeconds(round + 1)));
                    }
                } finally {
                    writing.set(false);
                }
            } else {
                while (writing.get()) {
                    List<StoredResponse> seen = store.variants(key);
                    assertEquals(1, seen.size(), "one variant, replaced in place");
                    checkWhole(seen, written);
                }
            }
        });
    }

    @Test
    public void aBodyThatDidNotArriveWholeIsNeverStored() {
        try (CachingEngine engine = CachingEngine.builder().store(store).build()) {
            URI page = URI.create("http://contract.test/partial");
            for (boolean abandon : new boolean[] {true, false}) {
                ExchangePlan.ToOrigin miss = assertInstanceOf(ExchangePlan.ToOrigin.class,
                        engine.onClientRequest(new RequestHead("GET", page, HeaderFields.empty())));
                HeaderFields headers = HeaderFields.of("Cache-Control", "public, max-age=60", "Content-Length", "10",
                        "Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC)));
                ExchangePlan.Relay relay = assertInstanceOf(ExchangePlan.Relay.class,
                        engine.onOriginResponse(miss, new ResponseHead(200, headers)));
                relay.capture().append(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
                if (abandon) {
                    relay.capture().abandon("origin closed the connection");
                } else {
                    relay.capture().complete(); // 5 bytes where 10 were announced
                }
                assertEquals(List.of(), store.variants(CacheKey.of(page)), abandon ? "abandoned" : "short body");
            }
        }
    }

    @Test
    public void closingTwiceIsHarmlessAndAClosedStoreRefusesWork() {
        CacheStore closing = newStore();
        closing.store(key("closed"), response("gzip", "body", T0));
        closing.close();

        assertDoesNotThrow(closing::close);
        RuntimeException refused = assertThrows(RuntimeException.class, () -> closing.variants(key("closed")));
        assertTrue(refused instanceof IllegalStateException || refused instanceof CacheStoreException,
                "a closed store throws IllegalStateException or CacheStoreException, got " + refused);
    }

    @Test
    public void aStoreWhoseBackendFailedReportsEveryFailureAsCacheStoreException() {
        Optional<CacheStore> failing = newStoreWithFailedBackend();
        Assumptions.assumeTrue(failing.isPresent(), "this store cannot be made to fail from the outside");
        try (CacheStore broken = failing.get()) {
            assertThrows(CacheStoreException.class, () -> broken.variants(key("f")));
            assertThrows(CacheStoreException.class, () -> broken.store(key("f"), response("gzip", "body", T0)));
            assertThrows(CacheStoreException.class, () -> broken.remove(key("f")));
            assertThrows(CacheStoreException.class, broken::clear);
        }
    }

    @Test
    public void anEngineOnAStoreWhoseBackendFailedKeepsServingAsMisses() {
        Optional<CacheStore> failing = newStoreWithFailedBackend();
        Assumptions.assumeTrue(failing.isPresent(), "this store cannot be made to fail from the outside");
        try (CachingEngine engine = CachingEngine.builder().store(failing.get()).build()) {
            URI page = URI.create("http://contract.test/failing");
            ExchangePlan.ToOrigin miss = assertInstanceOf(ExchangePlan.ToOrigin.class,
                    engine.onClientRequest(new RequestHead("GET", page, HeaderFields.empty())));
            HeaderFields headers = HeaderFields.of("Cache-Control", "public, max-age=60", "Content-Length", "2");
            ExchangePlan.Relay relay = assertInstanceOf(ExchangePlan.Relay.class,
                    engine.onOriginResponse(miss, new ResponseHead(200, headers)));
            relay.capture().append(ByteBuffer.wrap(new byte[] {'o', 'k'}));
            assertDoesNotThrow(relay.capture()::complete);
            assertInstanceOf(ExchangePlan.ToOrigin.class, engine.onClientRequest(new RequestHead("GET", page, HeaderFields.empty())));
        }
    }

    @Test
    public void aDamagedEntryIsReportedAsAFaultThenDroppedAndNeverServedAndNoOtherEntryIsLost() {
        for (int i = 0; i < 5; i++) {
            store.store(key("good-" + i), response("gzip", "good " + i, T0));
        }
        store.store(key("damaged"), response("gzip", "soon damaged", T0));
        Assumptions.assumeTrue(damage(key("damaged")), "this store's entries cannot be damaged from the outside");

        CacheStoreException fault = assertThrows(CacheStoreException.class, () -> store.variants(key("damaged")),
                "reported, so that the engine counts and logs it as a store fault");
        assertFalse(fault.getMessage().contains("soon damaged"), fault.getMessage());
        assertEquals(List.of(), store.variants(key("damaged")), "dropped: the next read is a plain miss");
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of("good " + i), bodies(store.variants(key("good-" + i))));
        }
        store.store(key("damaged"), response("br", "healthy again", T0));
        assertEquals(List.of("healthy again"), bodies(store.variants(key("damaged"))));
    }

    @Test
    public void anEngineCountsADamagedEntryAsAStoreFaultAndAsksTheOrigin() {
        URI page = URI.create("http://contract.test/damaged-page");
        try (CachingEngine engine = CachingEngine.builder().store(new Unclosed(store)).build()) {
            ExchangePlan.ToOrigin miss = assertInstanceOf(ExchangePlan.ToOrigin.class,
                    engine.onClientRequest(new RequestHead("GET", page, HeaderFields.empty())));
            ExchangePlan.Relay relay = assertInstanceOf(ExchangePlan.Relay.class, engine.onOriginResponse(miss,
                    new ResponseHead(200, HeaderFields.of("Cache-Control", "public, max-age=60", "Content-Length", "2"))));
            relay.capture().append(ByteBuffer.wrap(new byte[] {'o', 'k'}));
            relay.capture().complete();
            assertInstanceOf(ExchangePlan.Answer.class, engine.onClientRequest(new RequestHead("GET", page, HeaderFields.empty())),
                    "stored whole before it was damaged");
            Assumptions.assumeTrue(damage(CacheKey.of(page)), "this store's entries cannot be damaged from the outside");

            assertInstanceOf(ExchangePlan.ToOrigin.class, engine.onClientRequest(new RequestHead("GET", page, HeaderFields.empty())),
                    "a damaged entry is a miss, never served");
            assertEquals(1, engine.statistics().storeFaults());
        }
    }

    /** The test's store, lent to an engine that must not close it: the test closes it afterwards. */
    private record Unclosed(CacheStore store) implements CacheStore {
        @Override
        public List<StoredResponse> variants(CacheKey key) {
            return store.variants(key);
        }

        @Override
        public void store(CacheKey key, StoredResponse response) {
            store.store(key, response);
        }

        @Override
        public void remove(CacheKey key) {
            store.remove(key);
        }

        @Override
        public void clear() {
            store.clear();
        }

        @Override
        public void close() {
        }
    }

    /** A response of the variant {@code accept-encoding=<encoding>}. */
    protected static StoredResponse response(String encoding, String body, Instant time) {
        return response(encoding, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), time);
    }

    /** A response of the variant {@code accept-encoding=<encoding>} with a binary body. */
    protected static StoredResponse response(String encoding, byte[] body, Instant time) {
        ResponseHead head = new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=60", "Vary", "Accept-Encoding",
                "Content-Encoding", encoding, "Content-Length", Integer.toString(body.length)));
        return new StoredResponse(head, Body.of(body), "accept-encoding=" + encoding, time, time, Duration.ofSeconds(60));
    }

    /** Bytes that differ from seed to seed, so that a mix of two bodies is caught. */
    protected static byte[] randomBody(long seed, int size) {
        byte[] body = new byte[size];
        new Random(seed).nextBytes(body);
        return body;
    }

    private static List<String> bodies(List<StoredResponse> responses) {
        return responses.stream().map(response -> response.body().utf8()).toList();
    }

    /** Each response's body is byte for byte one that was written for its variant, and as long as its Content-Length. */
    private static void checkWhole(List<StoredResponse> responses, Map<String, byte[]> written) {
        for (StoredResponse response : responses) {
            byte[] body = response.body().toByteArray();
            assertEquals(Integer.parseInt(response.headers().first("Content-Length").orElseThrow()), body.length, "whole body");
            String variant = response.variantKey().substring("accept-encoding=".length());
            boolean known = written.entrySet().stream()
                    .anyMatch(entry -> entry.getKey().startsWith(variant + "#") && java.util.Arrays.equals(entry.getValue(), body));
            if (!known) {
                fail("a body of " + body.length + " bytes for " + variant + " that no writer wrote whole");
            }
        }
    }

    /** Runs the task on this many threads, started together, and rethrows the first failure. */
    private static void runConcurrently(int threads, ThreadTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                running.add(pool.submit(() -> {
                    start.await();
                    task.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : running) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private interface ThreadTask {
        void run(int thread) throws Exception;
    }
}
