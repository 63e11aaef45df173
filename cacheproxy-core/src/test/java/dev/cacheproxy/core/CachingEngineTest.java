package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.OriginFailure;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's sequencing of policy and store, phase by phase, with a manual clock. */
final class CachingEngineTest {

    private static final URI PAGE = URI.create("http://origin.test/page");

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    private final CachingEngine engine = CachingEngine.builder().store(store).clock(clock).maxObjectSize(1024).build();

    @AfterEach
    void closeStore() {
        engine.close();
    }

    @Test
    void aFreshStoredResponseIsAnsweredWithoutTheOriginAndItsAgeGrowsWithTheClock() {
        fetchThroughOrigin(get(PAGE), ok("public, max-age=60"), "hello");

        clock.advance(Duration.ofSeconds(10));
        Answer hit = assertInstanceOf(Answer.class, engine.onClientRequest(get(PAGE)));

        assertEquals(200, hit.response().status());
        assertEquals("hello", hit.body().utf8());
        assertEquals("10", hit.response().headers().first("Age").orElseThrow());
        assertEquals("5", hit.response().headers().first("Content-Length").orElseThrow());
        assertEquals("cacheproxy; hit; ttl=50; detail=\"fresh\"", hit.response().headers().first("Cache-Status").orElseThrow());
    }

    @Test
    void hitsOnOneObjectWithinASecondShareOneAnswerAndTheNextSecondGetsItsOwnAge() {
        fetchThroughOrigin(get(PAGE), ok("public, max-age=60"), "hello");
        clock.advance(Duration.ofSeconds(10));

        Answer first = assertInstanceOf(Answer.class, engine.onClientRequest(get(PAGE)));
        clock.advance(Duration.ofMillis(500));
        Answer sameSecond = assertInstanceOf(Answer.class, engine.onClientRequest(get(PAGE)));
        Answer head = assertInstanceOf(Answer.class, engine.onClientRequest(new RequestHead("HEAD", PAGE, HeaderFields.empty())));
        Answer ranged = assertInstanceOf(Answer.class, engine.onClientRequest(
                new RequestHead("GET", PAGE, HeaderFields.of("Range", "bytes=0-1"))));
        clock.advance(Duration.ofMillis(600));
        Answer nextSecond = assertInstanceOf(Answer.class, engine.onClientRequest(get(PAGE)));

        assertSame(first, sameSecond, "the same immutable answer, not a new copy of its fields");
        assertEquals("hello", sameSecond.body().utf8());
        assertEquals("", head.body().utf8());
        assertEquals("5", head.response().headers().first("Content-Length").orElseThrow());
        assertEquals(206, ranged.response().status());
        assertEquals("he", ranged.body().utf8());
        assertEquals("11", nextSecond.response().headers().first("Age").orElseThrow());
        assertEquals("cacheproxy; hit; ttl=49; detail=\"fresh\"", nextSecond.response().headers().first("Cache-Status").orElseThrow());
        assertSame(nextSecond, engine.onClientRequest(get(PAGE)), "the new second's answer is the one remembered now");
    }

    @Test
    void aStaleResponseIsValidatedWithItsEtagAndA304RefreshesIt() {
        fetchThroughOrigin(get(PAGE), ok("max-age=60", "ETag", "\"v1\""), "body-v1");
        clock.advance(Duration.ofSeconds(61));

        ToOrigin validation = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(PAGE)));
        assertEquals("\"v1\"", validation.setFields().first("If-None-Match").orElseThrow());
        assertTrue(validation.validating().isPresent());

        ResponseHead notModified = new ResponseHead(304, HeaderFields.of("ETag", "\"v1\"", "Cache-Control", "max-age=120",
                "Date", HttpDates.format(clock.instant())));
        Answer refreshed = assertInstanceOf(Answer.class, engine.onOriginResponse(validation, notModified));
        assertEquals(200, refreshed.response().status());
        assertEquals("body-v1", refreshed.body().utf8());
        assertEquals("max-age=120", refreshed.response().headers().first("Cache-Control").orElseThrow());

        clock.advance(Duration.ofSeconds(100));
        Answer hit = assertInstanceOf(Answer.class, engine.onClientRequest(get(PAGE)));
        assertEquals("body-v1", hit.body().utf8());
        assertEquals("100", hit.response().headers().first("Age").orElseThrow());
    }

    @Test
    void aClientsMatchingConditionalRequestGets304AndTheEntryStaysWhole() {
        fetchThroughOrigin(get(PAGE), ok("max-age=60", "ETag", "\"abc\""), "payload");

        Answer conditional = assertInstanceOf(Answer.class,
                engine.onClientRequest(get(PAGE, "If-None-Match", "W/\"abc\"")));
        assertEquals(304, conditional.response().status());
        assertEquals(0, conditional.body().size());

        Answer plain = assertInstanceOf(Answer.class, engine.onClientRequest(get(PAGE)));
        assertEquals(200, plain.response().status());
        assertEquals("payload", plain.body().utf8());
    }

    @Test
    void aBodyThatEndsEarlyIsNeverStored() {
        ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(PAGE)));
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, ok("max-age=60")));
        relay.capture().append(utf8("half of it"));
        relay.capture().abandon("origin closed the connection");

        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(PAGE)));
    }

    @Test
    void aBodyShorterThanItsContentLengthIsNeverStored() {
        fetchThroughOrigin(get(PAGE), ok("max-age=60", "Content-Length", "100"), "only twenty bytes...");

        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(PAGE)));
    }

    @Test
    void aBodyOverTheMaximumObjectSizeStreamsButIsNotStored() {
        fetchThroughOrigin(get(PAGE), ok("max-age=60"), "x".repeat(1025));

        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(PAGE)));
    }

    @Test
    void noStoreAndPrivateResponsesAreRelayedWithoutCapture() {
        for (String cacheControl : new String[] {"no-store", "private, max-age=60"}) {
            ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(PAGE)));
            Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, ok(cacheControl)));
            assertSame(BodyCapture.NONE, relay.capture(), cacheControl);
            String cacheStatus = relay.response().headers().first("Cache-Status").orElseThrow();
            assertFalse(cacheStatus.matches(".*; stored(;.*|$)"), cacheStatus);
            assertTrue(cacheStatus.contains("not stored"), cacheStatus);
        }
    }

    @Test
    void aSuccessfulPostInvalidatesTheStoredResponseForItsUri() {
        fetchThroughOrigin(get(PAGE), ok("max-age=60"), "before");

        ToOrigin post = assertInstanceOf(ToOrigin.class, engine.onClientRequest(request("POST", PAGE)));
        engine.onOriginResponse(post, new ResponseHead(204, HeaderFields.empty()));

        assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(PAGE)));
    }

    @Test
    void onlyIfCachedWithNothingStoredIsAnswered504WithoutTheOrigin() {
        Answer answer = assertInstanceOf(Answer.class, engine.onClientRequest(get(PAGE, "Cache-Control", "only-if-cached")));

        assertEquals(504, answer.response().status());
    }

    @Test
    void anOriginFailureIsA502AndATimeoutA504WithAFixedPhraseAndNoneOfTheProblemsText() {
        ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(PAGE)));
        String problem = "ConnectException: Connection refused: /10.0.0.7:8080 HttpConnection@5f1a2b3c";

        ExchangePlan.Fail refused = assertInstanceOf(ExchangePlan.Fail.class, engine.onOriginFailure(miss, new OriginFailure.Unreachable(problem)));
        ExchangePlan.Fail broken = assertInstanceOf(ExchangePlan.Fail.class, engine.onOriginFailure(miss, new OriginFailure.BrokenResponse(problem)));
        ExchangePlan.Fail timedOut = assertInstanceOf(ExchangePlan.Fail.class, engine.onOriginFailure(miss, new OriginFailure.TimedOut(problem)));

        assertEquals(502, refused.status());
        assertEquals("Bad Gateway: the origin could not be reached", refused.message());
        assertEquals(502, broken.status());
        assertEquals("Bad Gateway: the origin sent a broken response", broken.message());
        assertEquals(504, timedOut.status());
        assertEquals("Gateway Timeout: the origin did not answer in time", timedOut.message());
        for (ExchangePlan.Fail fail : List.of(refused, broken, timedOut)) {
            assertFalse(fail.cacheStatus().toHeaderValue().contains("10.0.0.7"), fail.cacheStatus().toHeaderValue());
            assertFalse(fail.cacheStatus().toHeaderValue().contains("HttpConnection"), fail.cacheStatus().toHeaderValue());
        }
    }

    @Test
    void aStoreThatThrowsTurnsEveryReadIntoAMissAndEveryWriteIntoASkip() {
        CacheStore failing = mock(CacheStore.class);
        when(failing.variants(any())).thenThrow(new CacheStoreException("disk gone"));
        doThrow(new CacheStoreException("disk gone")).when(failing).store(any(), any());
        CachingEngine failingEngine = CachingEngine.builder().store(failing).clock(clock).build();

        ToOrigin miss = assertInstanceOf(ToOrigin.class, failingEngine.onClientRequest(get(PAGE)));
        Relay relay = assertInstanceOf(Relay.class, failingEngine.onOriginResponse(miss, ok("max-age=60")));
        relay.capture().append(utf8("hello"));
        relay.capture().complete();

        verify(failing, atLeastOnce()).variants(CacheKey.of(PAGE));
        verify(failing).store(any(), any());
    }

    @Test
    void aPolicyThatThrowsMeansForwardAndDoNotStore() {
        CachePolicy broken = mock(CachePolicy.class);
        when(broken.lookup(any(), any(), any())).thenThrow(new IllegalStateException("bug in user policy"));
        when(broken.storability(any(), any(), any())).thenThrow(new IllegalStateException("bug in user policy"));
        CachingEngine brokenEngine = CachingEngine.builder().store(store).policy(broken).clock(clock).build();

        ToOrigin miss = assertInstanceOf(ToOrigin.class, brokenEngine.onClientRequest(get(PAGE)));
        Relay relay = assertInstanceOf(Relay.class, brokenEngine.onOriginResponse(miss, ok("max-age=60")));

        assertSame(BodyCapture.NONE, relay.capture());
        verify(broken).lookup(any(), any(), any());
    }

    private void fetchThroughOrigin(RequestHead request, ResponseHead response, String body) {
        ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(request));
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, response));
        relay.capture().append(utf8(body));
        relay.capture().complete();
    }

    private ResponseHead ok(String cacheControl, String... moreHeaders) {
        HeaderFields.Builder headers = HeaderFields.builder()
                .add("Cache-Control", cacheControl)
                .add("Date", HttpDates.format(clock.instant()))
                .add("Content-Type", "text/plain");
        headers.addAll(HeaderFields.of(moreHeaders));
        return new ResponseHead(200, headers.build());
    }

    private static RequestHead get(URI uri, String... headers) {
        return new RequestHead("GET", uri, HeaderFields.of(headers));
    }

    private static RequestHead request(String method, URI uri) {
        return new RequestHead(method, uri, HeaderFields.empty());
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
