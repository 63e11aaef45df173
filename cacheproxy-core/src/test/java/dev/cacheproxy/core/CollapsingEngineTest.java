package dev.cacheproxy.core;

import dev.cacheproxy.api.OriginFailure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Request collapsing in the engine, phase by phase, with a manual clock. */
final class CollapsingEngineTest {

    private static final RequestHead GET = new RequestHead("GET", URI.create("http://origin.test/popular"), HeaderFields.empty());

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(10).offHeapMegabytes(4).build();
    private CachingEngine engine = CachingEngine.builder().store(store).clock(clock).collapseTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aSecondMissWaitsForTheFirstAndIsThenAHitMarkedCollapsed() {
        ToOrigin leader = assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        Wait wait = assertInstanceOf(Wait.class, engine.onClientRequest(GET));
        assertEquals(Duration.ofSeconds(5), wait.timeout());
        assertFalse(wait.ready().toCompletableFuture().isDone());

        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(leader, ok("max-age=60")));
        relay.capture().append(ByteBuffer.wrap("shared".getBytes(StandardCharsets.UTF_8)));
        assertFalse(wait.ready().toCompletableFuture().isDone(), "waiters wake only once the body is stored");
        relay.capture().complete();

        assertTrue(wait.ready().toCompletableFuture().isDone());
        Answer answer = assertInstanceOf(Answer.class, engine.onClientRequestAfterWait(GET));
        assertEquals("shared", answer.body().utf8());
        assertTrue(answer.cacheStatus().collapsed());
    }

    @Test
    void aWaiterOfAResponseThatWasNotStoredGoesToTheOriginAndLeadsNoOne() {
        ToOrigin leader = assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        Wait wait = assertInstanceOf(Wait.class, engine.onClientRequest(GET));

        engine.onOriginResponse(leader, ok("private, max-age=60"));

        assertTrue(wait.ready().toCompletableFuture().isDone(), "nothing to store: waiters wake at once");
        assertInstanceOf(ToOrigin.class, engine.onClientRequestAfterWait(GET));
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET), "the next request leads anew");
    }

    @Test
    void aHeadWaitsForAGetOnItsWayButNeverLeads() {
        RequestHead head = new RequestHead("HEAD", GET.uri(), HeaderFields.empty());
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(head), "no GET on its way: the HEAD goes itself");
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET), "and it led no one: the GET goes too");

        Wait wait = assertInstanceOf(Wait.class, engine.onClientRequest(head), "a GET is on its way now");
        assertFalse(wait.ready().toCompletableFuture().isDone());
    }

    @Test
    void anOriginFailureWakesTheWaiters() {
        ToOrigin leader = assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        Wait wait = assertInstanceOf(Wait.class, engine.onClientRequest(GET));

        engine.onOriginFailure(leader, new OriginFailure.Unreachable("connection refused"));

        assertTrue(wait.ready().toCompletableFuture().isDone());
    }

    @Test
    void aLeaderThatNeverLandsIsReplacedOnceTheTimeoutHasPassed() {
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        Wait stranded = assertInstanceOf(Wait.class, engine.onClientRequest(GET));

        clock.advance(Duration.ofSeconds(6));

        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET), "a new leader instead of another stranded waiter");
        assertTrue(stranded.ready().toCompletableFuture().isDone(), "the old flight's waiters are let go");
    }

    @Test
    void aZeroTimeoutTurnsCollapsingOff() {
        engine = CachingEngine.builder().store(store).clock(clock).collapseTimeout(Duration.ZERO).build();

        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
    }

    private ResponseHead ok(String cacheControl) {
        return new ResponseHead(200, HeaderFields.of("Cache-Control", cacheControl, "Date", HttpDates.format(clock.instant())));
    }
}
