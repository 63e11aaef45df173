package dev.cacheproxy.core;

import dev.cacheproxy.api.OriginFailure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.EngineStatistics;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's statistics after a known sequence of exchanges, driven phase by phase with a manual clock. */
final class EngineStatisticsTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    private final CachingEngine engine = CachingEngine.builder().store(store).clock(clock).maxObjectSize(1024).build();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void aNewEngineHasCountedNothing() {
        EngineStatistics statistics = engine.statistics();

        assertEquals(0, statistics.requests());
        assertEquals(0, statistics.hitRatio());
        assertEquals(EngineStatistics.OriginLatency.NONE, statistics.originLatency());
        assertEquals(0, statistics.store().orElseThrow().entries());
    }

    @Test
    void everyOutcomeOfAKnownSequenceIsCountedOnce() {
        // A miss that is stored, then a hit.
        fetch(get("/a"), ok("max-age=60", "ETag", "\"v1\""), "hello", Duration.ofMillis(10));
        assertInstanceOf(Answer.class, engine.onClientRequest(get("/a")));
        // Stale: validated, the origin answers 304.
        clock.advance(Duration.ofSeconds(61));
        ToOrigin validation = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/a")));
        clock.advance(Duration.ofMillis(10));
        assertInstanceOf(Answer.class, engine.onOriginResponse(validation, new ResponseHead(304,
                HeaderFields.of("ETag", "\"v1\"", "Cache-Control", "max-age=60", "Date", HttpDates.format(clock.instant())))));
        // Stale again: validated, the origin answers with a new response, which is stored.
        clock.advance(Duration.ofSeconds(61));
        fetch(get("/a"), ok("max-age=60", "ETag", "\"v2\""), "hello again", Duration.ofMillis(10));
        // Not stored: too big, not cacheable, incomplete.
        fetch(get("/big"), ok("max-age=60"), "x".repeat(2000), Duration.ofMillis(10));
        fetch(get("/private"), ok("private, max-age=60"), "mine", Duration.ofMillis(10));
        ToOrigin cut = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/cut")));
        clock.advance(Duration.ofMillis(10));
        Relay cutRelay = assertInstanceOf(Relay.class, engine.onOriginResponse(cut, ok("max-age=60")));
        cutRelay.capture().append(utf8("half"));
        cutRelay.capture().abandon("origin closed the connection");
        // The origin is down, after a quarter of a second.
        ToOrigin down = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/down")));
        clock.advance(Duration.ofMillis(250));
        engine.onOriginFailure(down, new OriginFailure.Unreachable("ConnectException: Connection refused"));
        // stale-while-revalidate: stored, then served stale.
        fetch(get("/swr"), ok("max-age=1, stale-while-revalidate=60"), "swr", Duration.ofMillis(10));
        clock.advance(Duration.ofSeconds(2));
        Answer stale = assertInstanceOf(Answer.class, engine.onClientRequest(get("/swr")));
        assertTrue(stale.refresh().isPresent());
        // Two requests at once: the second waits for the first, then is a hit.
        ToOrigin leader = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/c")));
        assertInstanceOf(Wait.class, engine.onClientRequest(get("/c")));
        clock.advance(Duration.ofMillis(10));
        Relay led = assertInstanceOf(Relay.class, engine.onOriginResponse(leader, ok("max-age=60")));
        led.capture().append(utf8("collapsed"));
        led.capture().complete();
        assertInstanceOf(Answer.class, engine.onClientRequestAfterWait(get("/c")));

        EngineStatistics statistics = engine.statistics();

        assertEquals(12, statistics.requests());
        assertEquals(3, statistics.hits());
        assertEquals(9, statistics.misses());
        assertEquals(0.25, statistics.hitRatio());
        assertEquals(1, statistics.staleServed());
        assertEquals(1, statistics.revalidatedNotModified());
        assertEquals(1, statistics.revalidatedModified());
        assertEquals(1, statistics.collapsedWaits());
        assertEquals(4, statistics.stored());
        assertEquals(1, statistics.skippedTooBig());
        assertEquals(1, statistics.skippedNotCacheable());
        assertEquals(1, statistics.skippedIncomplete());
        assertEquals(0, statistics.storeFaults());
        assertEquals(1, statistics.originErrors());
        assertEquals(new EngineStatistics.OriginLatency(9, Duration.ofMillis(330), Duration.ofMillis(250)), statistics.originLatency());
        assertEquals(3, statistics.store().orElseThrow().entries());
        assertTrue(statistics.store().orElseThrow().bytes() > 0);
    }

    @Test
    void aStoreWithoutStatisticsLeavesThemOutAndAFailingOneCountsFaults() {
        try (CachingEngine onFailingStore = CachingEngine.builder()
                .store(new StoreFaultsTest.BrokenForOneKey(EhcacheStore.builder().offHeapMegabytes(4).build(), dev.cacheproxy.api.CacheKey.of(URI.create("http://origin.test/a"))))
                .clock(clock).build()) {
            onFailingStore.onClientRequest(get("/a"));

            EngineStatistics statistics = onFailingStore.statistics();

            assertEquals(Optional.empty(), statistics.store());
            assertEquals(1, statistics.storeFaults());
            assertEquals(1, statistics.misses());
        }
    }

    private void fetch(RequestHead request, ResponseHead response, String body, Duration originTime) {
        ToOrigin toOrigin = assertInstanceOf(ToOrigin.class, engine.onClientRequest(request));
        clock.advance(originTime);
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(toOrigin, response));
        relay.capture().append(utf8(body));
        relay.capture().complete();
    }

    private ResponseHead ok(String cacheControl, String... moreHeaders) {
        return new ResponseHead(200, HeaderFields.builder()
                .add("Cache-Control", cacheControl)
                .add("Date", HttpDates.format(clock.instant()))
                .addAll(HeaderFields.of(moreHeaders))
                .build());
    }

    private static RequestHead get(String path) {
        return new RequestHead("GET", URI.create("http://origin.test" + path), HeaderFields.empty());
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
