package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheTags;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.OnClientRequest;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.PurgeResult;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Purges in code: one URL with all its variants, by tag, everything; and tags kept from clients. */
final class PurgeTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    // No collapsing: these tests look at one request for a URL at a time without answering it.
    private final CachingEngine engine = CachingEngine.builder().store(store).clock(clock).collapseTimeout(Duration.ZERO).build();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void purgingAUrlRemovesEveryVariantOfItAndNothingElse() {
        fetch(get("/page", "Accept-Language", "en"), ok("Vary", "Accept-Language"), "hello");
        fetch(get("/page", "Accept-Language", "fr"), ok("Vary", "Accept-Language"), "bonjour");
        fetch(get("/other"), ok(), "other");
        assertInstanceOf(Answer.class, engine.onClientRequest(get("/page", "Accept-Language", "fr")));

        PurgeResult purged = engine.purge(URI.create("http://origin.test/page"));

        assertEquals(new PurgeResult("url http://origin.test/page", OptionalLong.of(1)), purged);
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/page", "Accept-Language", "en")));
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/page", "Accept-Language", "fr")));
        assertInstanceOf(Answer.class, engine.onClientRequest(get("/other")));
        assertEquals(OptionalLong.of(0), engine.purge(URI.create("http://origin.test/page")).entries());
    }

    @Test
    void purgingATagRemovesEveryUrlTaggedWithItInEitherField() {
        fetch(get("/p1"), ok("Surrogate-Key", "product-7 all"), "one");
        fetch(get("/p2"), ok("Cache-Tag", "x,product-7"), "two");
        fetch(get("/p3"), ok("Surrogate-Key", "product-8 all"), "three");
        fetch(get("/untagged"), ok(), "four");

        PurgeResult purged = engine.purgeTag("product-7");

        assertEquals(new PurgeResult("tag product-7", OptionalLong.of(2)), purged);
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/p1")));
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/p2")));
        assertInstanceOf(Answer.class, engine.onClientRequest(get("/p3")));
        assertInstanceOf(Answer.class, engine.onClientRequest(get("/untagged")));
        assertEquals(OptionalLong.of(1), engine.purgeTag("all").entries());
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/p3")));
    }

    @Test
    void aUrlStoredAgainWithoutTheTagIsNotPurgedByIt() {
        fetch(get("/p1"), ok("Surrogate-Key", "old"), "tagged");
        engine.purge(URI.create("http://origin.test/p1"));
        fetch(get("/p1"), ok("Surrogate-Key", "new"), "retagged");

        assertEquals(OptionalLong.of(0), engine.purgeTag("old").entries());
        assertInstanceOf(Answer.class, engine.onClientRequest(get("/p1")));
    }

    @Test
    void purgingEverythingEmptiesTheStore() {
        fetch(get("/p1"), ok(), "one");
        fetch(get("/p2"), ok(), "two");

        PurgeResult purged = engine.purgeAll();

        assertEquals(new PurgeResult("all", OptionalLong.of(2)), purged);
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/p1")));
        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("/p2")));
    }

    @Test
    void tagFieldsAreStoredButNeverReachClientsByDefault() {
        Relay miss = fetch(get("/p1"), ok("Surrogate-Key", "product-7"), "one");
        Answer hit = assertInstanceOf(Answer.class, engine.onClientRequest(get("/p1")));

        for (HeaderFields sent : new HeaderFields[] {miss.response().headers(), hit.response().headers()}) {
            assertFalse(sent.contains("Surrogate-Key"), sent.toString());
            assertFalse(sent.contains(CacheTags.FIELD), sent.toString());
        }
        assertEquals("product-7", store.variants(CacheKey.of(URI.create("http://origin.test/p1"))).get(0)
                .headers().first(CacheTags.FIELD).orElseThrow());
    }

    @Test
    void tagFieldsCanBeLeftForClientsAndTheirNamesChosen() {
        try (CachingEngine visible = CachingEngine.builder().store(EhcacheStore.builder().offHeapMegabytes(4).build())
                .clock(clock).tagFields("X-Tags").hideTagFields(false).build()) {
            ToOrigin miss = assertInstanceOf(ToOrigin.class, visible.onClientRequest(get("/p1")));
            Relay relay = assertInstanceOf(Relay.class, visible.onOriginResponse(miss, ok("X-Tags", "a b", "Surrogate-Key", "ignored",
                    CacheTags.FIELD, "forged")));
            relay.capture().append(utf8("one"));
            relay.capture().complete();

            assertEquals("a b", relay.response().headers().first("X-Tags").orElseThrow());
            assertFalse(relay.response().headers().contains(CacheTags.FIELD));
            assertEquals(OptionalLong.of(0), visible.purgeTag("ignored").entries());
            assertEquals(OptionalLong.of(0), visible.purgeTag("forged").entries());
            assertEquals(OptionalLong.of(1), visible.purgeTag("b").entries());
        }
    }

    @Test
    void aStoreThatKeepsNoTagsRefusesTagPurgesButPurgesUrlsAndEverything() {
        CacheStore plain = mock(CacheStore.class);
        try (CachingEngine onPlainStore = CachingEngine.builder().store(plain).clock(clock).build()) {
            assertThrows(UnsupportedOperationException.class, () -> onPlainStore.purgeTag("product-7"));
            onPlainStore.purge(URI.create("http://origin.test/page"));
            PurgeResult all = onPlainStore.purgeAll();

            verify(plain).remove(CacheKey.of(URI.create("http://origin.test/page")));
            verify(plain).clear();
            assertEquals(OptionalLong.empty(), all.entries());
        }
    }

    @Test
    void aPurgeOfSomethingThatIsNotATagOrAnAbsoluteUriIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> engine.purgeTag("two words"));
        assertThrows(IllegalArgumentException.class, () -> engine.purgeTag(""));
        assertThrows(IllegalArgumentException.class, () -> engine.purge(URI.create("/relative")));
        assertTrue(CacheTags.isTag("product-7"));
    }

    private Relay fetch(RequestHead request, ResponseHead response, String body) {
        OnClientRequest plan = engine.onClientRequest(request);
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(assertInstanceOf(ToOrigin.class, plan), response));
        relay.capture().append(utf8(body));
        relay.capture().complete();
        return relay;
    }

    private ResponseHead ok(String... moreHeaders) {
        return new ResponseHead(200, HeaderFields.builder()
                .add("Cache-Control", "max-age=60")
                .add("Date", HttpDates.format(clock.instant()))
                .addAll(HeaderFields.of(moreHeaders))
                .build());
    }

    private static RequestHead get(String path, String... headers) {
        return new RequestHead("GET", URI.create("http://origin.test" + path), HeaderFields.of(headers));
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
