package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.Collapsing;
import dev.cacheproxy.api.ExchangePlan.OnClientRequest;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.ExchangePlan.Wait;
import dev.cacheproxy.api.ForwardingCachePolicy;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Remembered misses (hit-for-miss) in the engine, phase by phase, with a manual clock. */
final class RememberedMissesTest {

    private static final RequestHead GET = new RequestHead("GET", URI.create("http://origin.test/account"), HeaderFields.empty());

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(10).offHeapMegabytes(4).build();
    private CachingEngine engine = CachingEngine.builder().store(store).clock(clock).build();

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void noWaitIsPlannedForAKeyWhoseLastResponseWasNotStorable() {
        ToOrigin first = assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        engine.onOriginResponse(first, ok("private"));

        ToOrigin second = assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        OnClientRequest third = engine.onClientRequest(GET);

        assertInstanceOf(ToOrigin.class, third, "no Wait behind the second: the key is a remembered miss");
        assertTrue(second.cacheStatus().detail().orElseThrow().contains("remembered miss (private)"),
                second.cacheStatus().toHeaderValue());
    }

    @Test
    void withoutARememberedMissConcurrentRequestsWait() {
        engine = CachingEngine.builder().store(store).clock(clock).rememberMissesFor(Duration.ZERO).build();
        ToOrigin first = assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        engine.onOriginResponse(first, ok("private"));

        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        assertInstanceOf(Wait.class, engine.onClientRequest(GET), "the old behaviour: the third waits behind the second");
    }

    @Test
    void aMissIsRememberedFor120SecondsOrLessWhenTheResponseSaysSo() {
        engine.onOriginResponse((ToOrigin) engine.onClientRequest(GET), ok("no-store"));
        clock.advance(Duration.ofSeconds(119));
        assertRemembered(true);
        clock.advance(Duration.ofSeconds(1));
        assertRemembered(false);

        engine.onOriginResponse((ToOrigin) engine.onClientRequest(GET), ok("private, max-age=10"));
        clock.advance(Duration.ofSeconds(9));
        assertRemembered(true);
        clock.advance(Duration.ofSeconds(1));
        assertRemembered(false);
    }

    @Test
    void aStorableResponseEndsTheRememberedMiss() {
        engine.onOriginResponse((ToOrigin) engine.onClientRequest(GET), ok("private"));
        ToOrigin again = assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));

        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(again, ok("max-age=0")));
        relay.capture().append(ByteBuffer.wrap(new byte[] {1}));
        relay.capture().complete();

        // max-age=0 is stored (validated before reuse): collapsing applies again.
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        assertInstanceOf(Wait.class, engine.onClientRequest(GET));
    }

    @Test
    void aPurgeOfTheUrlEndsTheRememberedMiss() {
        engine.onOriginResponse((ToOrigin) engine.onClientRequest(GET), ok("private"));

        engine.purge(GET.uri());

        assertRemembered(false);
    }

    @Test
    void aRefusalBecauseOfTheRequestIsNotRemembered() {
        RequestHead withAuthorization = GET.withHeaders(HeaderFields.of("Authorization", "Bearer me"));
        engine.onOriginResponse((ToOrigin) engine.onClientRequest(withAuthorization), ok("max-age=60"));

        assertRemembered(false);
    }

    @Test
    void rememberedMissesAreBoundedInNumber() {
        engine = CachingEngine.builder().store(store).clock(clock).rememberedMissesLimit(2).build();
        for (String path : new String[] {"/a", "/b", "/c"}) {
            RequestHead request = new RequestHead("GET", URI.create("http://origin.test" + path), HeaderFields.empty());
            engine.onOriginResponse((ToOrigin) engine.onClientRequest(request), ok("private"));
        }
        RequestHead first = new RequestHead("GET", URI.create("http://origin.test/a"), HeaderFields.empty());
        RequestHead last = new RequestHead("GET", URI.create("http://origin.test/c"), HeaderFields.empty());

        engine.onClientRequest(first);
        assertInstanceOf(Wait.class, engine.onClientRequest(first), "the oldest was forgotten");
        engine.onClientRequest(last);
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(last), "the newest is remembered");
    }

    @Test
    void aPolicyCanOptARequestOutOfCollapsing() {
        engine = CachingEngine.builder().store(store).clock(clock).policy(new ForwardingCachePolicy(Rfc9111Policy.sharedCache()) {
            @Override
            public Collapsing collapsing(RequestHead request, Instant now) {
                return new Collapsing.Refused("per-user page");
            }
        }).build();

        assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        ToOrigin second = assertInstanceOf(ToOrigin.class, engine.onClientRequest(GET));
        assertEquals("cacheproxy; fwd=uri-miss; detail=\"nothing stored; per-user page\"", second.cacheStatus().toHeaderValue());
    }

    private void assertRemembered(boolean remembered) {
        OnClientRequest leader = engine.onClientRequest(GET);
        OnClientRequest follower = engine.onClientRequest(GET);
        assertInstanceOf(ToOrigin.class, leader);
        Class<?> expected = remembered ? ToOrigin.class : Wait.class;
        assertTrue(expected.isInstance(follower), "expected " + expected.getSimpleName() + " at " + clock.instant() + ", got " + follower);
        // Let the leader land, so the next check starts afresh.
        engine.onOriginFailure((ToOrigin) leader, new OriginFailure.Unreachable("test over"));
        if (follower instanceof ToOrigin lone) {
            engine.onOriginFailure(lone, new OriginFailure.Unreachable("test over"));
        }
    }

    private ResponseHead ok(String cacheControl) {
        return new ResponseHead(200, HeaderFields.of("Cache-Control", cacheControl, "Date", HttpDates.format(clock.instant())));
    }
}
