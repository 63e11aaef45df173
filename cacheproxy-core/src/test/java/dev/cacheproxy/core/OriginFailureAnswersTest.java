package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.OriginFailure;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9111 §5.2.2.2 with RFC 9213: when the validation of a stored response fails and nothing may stand
 * in, the client gets 504 if the response must be revalidated, as the cache-control field in force for
 * this cache says (a targeted field such as {@code CDN-Cache-Control} over {@code Cache-Control}), and
 * 502 otherwise. The engine never serves stale here: {@code staleIfUnreachable} is zero.
 */
final class OriginFailureAnswersTest {

    private static final URI PAGE = URI.create("http://origin.test/page");

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final CachingEngine engine = CachingEngine.builder()
            .store(EhcacheStore.builder().heapEntries(10).offHeapMegabytes(4).build())
            .policy(Rfc9111Policy.builder().staleIfUnreachable(Duration.ZERO).build())
            .clock(clock).build();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # response fields                                                  | status when its validation fails
            Cache-Control: max-age=60, must-revalidate                         | 504
            Cache-Control: max-age=60                                          | 502
            CDN-Cache-Control: max-age=60, must-revalidate && Cache-Control: max-age=60  | 504
            CDN-Cache-Control: max-age=60 && Cache-Control: max-age=60, must-revalidate  | 502
            CDN-Cache-Control: max-age=60, proxy-revalidate && Cache-Control: max-age=60 | 504
            CDN-Cache-Control: max-age=1.5 && Cache-Control: max-age=60, must-revalidate | 504
            """)
    void aFailedValidationIsA504OnlyWhenTheFieldInForceSaysMustRevalidate(String responseFields, int expected) {
        ToOrigin miss = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get()));
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(miss, ok(responseFields)));
        relay.capture().append(ByteBuffer.wrap("stored".getBytes(StandardCharsets.UTF_8)));
        relay.capture().complete();
        clock.advance(Duration.ofSeconds(61));

        ToOrigin validation = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get()));
        assertTrue(validation.validating().isPresent(), "the stale response is validated");
        ExchangePlan.Fail fail = assertInstanceOf(ExchangePlan.Fail.class,
                engine.onOriginFailure(validation, new OriginFailure.Unreachable("ConnectException: Connection refused")));

        assertEquals(expected, fail.status());
        // A fixed phrase for clients: the failure's own text goes to the log only.
        assertFalse(fail.message().contains("Connection refused"), fail.message());
        assertTrue(fail.message().startsWith(expected == 504 ? "Gateway Timeout: " : "Bad Gateway: "), fail.message());
    }

    private ResponseHead ok(String fieldLines) {
        HeaderFields.Builder headers = HeaderFields.builder()
                .add("Date", HttpDates.format(clock.instant()))
                .add("ETag", "\"v1\"");
        for (String line : fieldLines.split(" && ")) {
            int colon = line.indexOf(':');
            headers.add(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        return new ResponseHead(200, headers.build());
    }

    private static RequestHead get() {
        return new RequestHead("GET", PAGE, HeaderFields.empty());
    }
}
