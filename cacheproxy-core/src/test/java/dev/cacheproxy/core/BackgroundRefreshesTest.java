package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** stale-while-revalidate refreshes: one in flight per variant, and forgotten when an adapter declines one. */
final class BackgroundRefreshesTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(2000).offHeapMegabytes(8).build();
    private final CachingEngine engine = CachingEngine.builder().store(store).clock(clock).build();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void aDeclinedRefreshIsForgottenAndOfferedToTheNextRequestAtOnce() {
        storeStaleWhileRevalidate("/swr");

        Answer first = assertInstanceOf(Answer.class, engine.onClientRequest(get("/swr")));
        Answer whileInFlight = assertInstanceOf(Answer.class, engine.onClientRequest(get("/swr")));
        engine.onRefreshDeclined(first.refresh().orElseThrow());
        Answer afterDecline = assertInstanceOf(Answer.class, engine.onClientRequest(get("/swr")));

        assertTrue(whileInFlight.refresh().isEmpty(), "one refresh per variant at a time");
        assertTrue(afterDecline.refresh().isPresent(), "offered again at once, not after a minute");
        assertEquals(1, engine.refreshesInFlight());
    }

    @Test
    void refreshesThatNeverCameBackAreForgottenOnceTheyTimedOutSoTheMapStaysBounded() {
        for (int i = 0; i < 1100; i++) {
            storeStaleWhileRevalidate("/lost/" + i);
        }
        for (int i = 0; i < 1100; i++) {
            assertTrue(assertInstanceOf(Answer.class, engine.onClientRequest(get("/lost/" + i))).refresh().isPresent());
        }
        clock.advance(BackgroundRefreshes.TIMEOUT);

        assertTrue(assertInstanceOf(Answer.class, engine.onClientRequest(get("/lost/0"))).refresh().isPresent());

        assertEquals(1, engine.refreshesInFlight(), "the lost ones were swept");
    }

    private void storeStaleWhileRevalidate(String path) {
        ToOrigin toOrigin = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(path)));
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(toOrigin, new ResponseHead(200, HeaderFields.of(
                "Cache-Control", "max-age=1, stale-while-revalidate=3600", "Date", HttpDates.format(clock.instant())))));
        relay.capture().append(ByteBuffer.wrap(path.getBytes(StandardCharsets.UTF_8)));
        relay.capture().complete();
        clock.advance(Duration.ofSeconds(2));
    }

    private static RequestHead get(String path) {
        return new RequestHead("GET", URI.create("http://origin.test" + path), HeaderFields.empty());
    }
}
