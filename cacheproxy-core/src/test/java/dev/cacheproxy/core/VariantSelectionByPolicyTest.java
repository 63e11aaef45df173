package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.ForwardingCachePolicy;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.OriginFailure;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A custom {@link CachePolicy} selects the stored variant everywhere the engine needs one, not only in
 * its lookup: for a stale response in place of a failed origin, and for the {@code GET} response a
 * {@code HEAD} response updates (RFC 9111 §4.3.5). The policy here treats every {@code Accept-Language}
 * as the English one, which the RFC 9111 policy would not.
 */
final class VariantSelectionByPolicyTest {

    private static final URI PAGE = URI.create("http://origin.test/page");

    /** Any language selects the variant stored for English, when there is one. */
    private static final CachePolicy ENGLISH_FOR_ALL = new ForwardingCachePolicy(Rfc9111Policy.sharedCache()) {
        @Override
        public Optional<StoredResponse> selectVariant(RequestHead request, List<StoredResponse> variants) {
            return super.selectVariant(request.withHeaders(request.headers().with("Accept-Language", "en")), variants);
        }
    };

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(10).offHeapMegabytes(4).build();

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aStaleResponseStandsInForAFailedOriginAsThePolicySelectsIt() {
        CachingEngine custom = engine(ENGLISH_FOR_ALL);
        storeEnglish(custom);
        clock.advance(Duration.ofSeconds(120));

        ToOrigin german = assertInstanceOf(ToOrigin.class, custom.onClientRequest(get("de")));
        Answer stale = assertInstanceOf(Answer.class, custom.onOriginFailure(german, new OriginFailure.Unreachable("refused")));

        assertEquals("english", stale.body().utf8());
        ToOrigin germanByDefault = assertInstanceOf(ToOrigin.class, engine(Rfc9111Policy.sharedCache()).onClientRequest(get("de")));
        assertInstanceOf(ExchangePlan.Fail.class,
                engine(Rfc9111Policy.sharedCache()).onOriginFailure(germanByDefault, new OriginFailure.Unreachable("refused")));
    }

    @Test
    void aHeadResponseUpdatesTheGetResponseThePolicySelects() {
        CachingEngine custom = engine(ENGLISH_FOR_ALL);
        storeEnglish(custom);

        ToOrigin head = assertInstanceOf(ToOrigin.class, custom.onClientRequest(head("de")));
        custom.onOriginResponse(head, new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=600", "ETag", "\"v1\"",
                "Vary", "Accept-Language", "Content-Length", "7", "Date", HttpDates.format(clock.instant()))));

        StoredResponse updated = store.variants(CacheKey.of(PAGE)).get(0);
        assertEquals("max-age=600", updated.headers().first("Cache-Control").orElseThrow());
        assertEquals("english", updated.body().utf8());
    }

    @Test
    void theDefaultPolicyLeavesAnotherLanguagesVariantAloneOnAHeadResponse() {
        CachingEngine byDefault = engine(Rfc9111Policy.sharedCache());
        storeEnglish(byDefault);

        ToOrigin head = assertInstanceOf(ToOrigin.class, byDefault.onClientRequest(head("de")));
        byDefault.onOriginResponse(head, new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=600", "ETag", "\"v1\"",
                "Vary", "Accept-Language", "Content-Length", "7", "Date", HttpDates.format(clock.instant()))));

        assertEquals("max-age=60", store.variants(CacheKey.of(PAGE)).get(0).headers().first("Cache-Control").orElseThrow());
    }

    private CachingEngine engine(CachePolicy policy) {
        return CachingEngine.builder().store(store).policy(policy).clock(clock).build();
    }

    private void storeEnglish(CachingEngine engine) {
        ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get("en")));
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, new ResponseHead(200, HeaderFields.of(
                "Cache-Control", "max-age=60", "ETag", "\"v1\"", "Vary", "Accept-Language",
                "Date", HttpDates.format(clock.instant())))));
        relay.capture().append(ByteBuffer.wrap("english".getBytes(StandardCharsets.UTF_8)));
        relay.capture().complete();
    }

    private static RequestHead get(String language) {
        return new RequestHead("GET", PAGE, HeaderFields.of("Accept-Language", language));
    }

    private static RequestHead head(String language) {
        return new RequestHead("HEAD", PAGE, HeaderFields.of("Accept-Language", language));
    }
}
