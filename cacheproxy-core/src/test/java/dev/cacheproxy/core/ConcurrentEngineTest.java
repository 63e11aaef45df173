package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.ExchangePlan.Wait;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many threads reading, storing and invalidating the same few URLs through one engine and one store:
 * every answer from the cache is one whole stored response, byte for byte, never a mix of two.
 */
final class ConcurrentEngineTest {

    private static final int THREADS = 8;
    private static final int OPERATIONS_PER_THREAD = 1500;
    private static final List<URI> PAGES = List.of(URI.create("http://origin.test/a"), URI.create("http://origin.test/b"),
            URI.create("http://origin.test/c"));

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(2).offHeapMegabytes(8).build();
    private final CachingEngine engine = CachingEngine.builder().store(store).clock(clock).build();
    private final AtomicLong versions = new AtomicLong();
    private final AtomicInteger hitsChecked = new AtomicInteger();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void readersWritersAndInvalidatorsOfTheSameKeysNeverSeeATornOrMixedEntry() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long seed = t;
            workers.add(threads.submit(() -> {
                start.await();
                Random random = new Random(seed);
                for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
                    URI page = PAGES.get(random.nextInt(PAGES.size()));
                    if (random.nextInt(10) == 0) {
                        invalidate(page);
                    } else {
                        getAndCheck(page, random);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
        assertTrue(hitsChecked.get() > THREADS * OPERATIONS_PER_THREAD / 4, "enough answers came from the cache to mean something: "
                + hitsChecked.get());
    }

    private void getAndCheck(URI page, Random random) throws Exception {
        RequestHead request = new RequestHead("GET", page, HeaderFields.empty());
        ExchangePlan.OnClientRequest plan = engine.onClientRequest(request);
        if (plan instanceof Wait wait) {
            wait.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
            plan = engine.onClientRequestAfterWait(request);
        }
        if (plan instanceof Answer answer) {
            String version = answer.response().headers().first("X-Version").orElseThrow();
            String path = answer.response().headers().first("X-Path").orElseThrow();
            assertEquals(page.getPath(), path, "an answer for another URL");
            ByteBuffer expected = ByteBuffer.wrap(body(path, Long.parseLong(version)));
            assertEquals(expected, answer.body().asByteBuffer(), "a torn or mixed body for " + path + " version " + version);
            hitsChecked.incrementAndGet();
            return;
        }
        ToOrigin toOrigin = (ToOrigin) plan;
        long version = versions.incrementAndGet();
        byte[] body = body(page.getPath(), version);
        ExchangePlan.OnOriginResponse response = engine.onOriginResponse(toOrigin, new ResponseHead(200, HeaderFields.of(
                "Cache-Control", "max-age=600", "X-Version", Long.toString(version), "X-Path", page.getPath(),
                "Content-Length", Integer.toString(body.length))));
        Relay relay = (Relay) response;
        // The body arrives in chunks of random sizes, as it would from the network.
        for (int offset = 0; offset < body.length; ) {
            int chunk = Math.min(body.length - offset, 1 + random.nextInt(4096));
            relay.capture().append(ByteBuffer.wrap(body, offset, chunk));
            offset += chunk;
        }
        relay.capture().complete();
    }

    private void invalidate(URI page) {
        ToOrigin post = (ToOrigin) engine.onClientRequest(new RequestHead("POST", page, HeaderFields.empty()));
        engine.onOriginResponse(post, new ResponseHead(204, HeaderFields.empty()));
    }

    /** A body that names its URL and version in every one of its bytes' positions. */
    private static byte[] body(String path, long version) {
        int length = 1000 + (int) (version % 7) * 3000;
        byte[] bytes = new byte[length];
        long seed = path.hashCode() * 31L + version;
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * (i + 1) >>> 3);
        }
        return bytes;
    }
}
