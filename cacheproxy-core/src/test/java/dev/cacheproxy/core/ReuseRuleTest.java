package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.NOW;
import static dev.cacheproxy.core.Http.at;
import static dev.cacheproxy.core.Http.fields;
import static dev.cacheproxy.core.Http.get;
import static dev.cacheproxy.core.Http.request;
import static dev.cacheproxy.core.Http.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9111 §4 (reusing stored responses), §5.2.1 (request directives), §5.2.2 (response directives),
 * RFC 5861 §3 ({@code stale-while-revalidate}). A decision is written {@code reuse}, {@code reuse+refresh}
 * (with background revalidation), {@code validate <fwd>}, {@code forward <fwd>} or {@code unavailable}.
 */
final class ReuseRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # request header lines                    | stored header lines                                      | lifetime | asked at | decision
            # freshness
            ''                                        | ETag: "v1"                                               | 60       | 0        | reuse
            ''                                        | ETag: "v1"                                               | 60       | 59       | reuse
            ''                                        | ETag: "v1"                                               | 60       | 60       | validate STALE
            ''                                        | ETag: "v1"                                               | 60       | 70       | validate STALE
            ''                                        | ETag: "v1" && Age: 50                                    | 60       | 10       | validate STALE
            ''                                        | Last-Modified: {now-1000}                                | 60       | 70       | validate STALE
            ''                                        | ''                                                       | 60       | 70       | forward STALE
            ''                                        | Last-Modified: last week                                 | 60       | 70       | forward STALE
            ''                                        | ETag: "v1"                                               | 0        | 0        | validate STALE
            # request no-cache and Pragma
            Cache-Control: no-cache                   | ETag: "v1"                                               | 60       | 0        | validate REQUEST
            Pragma: no-cache                          | ETag: "v1"                                               | 60       | 0        | validate REQUEST
            Pragma: no-cache && Cache-Control: max-stale | ETag: "v1"                                            | 60       | 0        | reuse
            Cache-Control: no-cache                   | ''                                                       | 60       | 0        | forward REQUEST
            Cache-Control: no-cache, max-stale        | ETag: "v1"                                               | 60       | 70       | validate REQUEST
            # response no-cache: validate before each reuse, fresh or not
            ''                                        | ETag: "v1" && Cache-Control: no-cache, max-age=60        | 60       | 0        | validate STALE
            ''                                        | Cache-Control: no-cache="Set-Cookie", max-age=60         | 60       | 0        | forward STALE
            # request max-age
            Cache-Control: max-age=10                 | ETag: "v1"                                               | 60       | 10       | reuse
            Cache-Control: max-age=5                  | ETag: "v1"                                               | 60       | 10       | validate REQUEST
            Cache-Control: max-age=0                  | ETag: "v1"                                               | 60       | 0        | reuse
            Cache-Control: max-age=0                  | ETag: "v1"                                               | 60       | 1        | validate REQUEST
            Cache-Control: max-age=0                  | ''                                                       | 60       | 1        | forward REQUEST
            Cache-Control: max-age=abc                | ETag: "v1"                                               | 60       | 0        | validate REQUEST
            Cache-Control: max-age=100                | ETag: "v1"                                               | 60       | 70       | validate STALE
            # immutable (RFC 8246): a reload's max-age=0 is answered while fresh, a forced reload is not
            Cache-Control: max-age=0                  | ETag: "v1" && Cache-Control: max-age=60, immutable       | 60       | 10       | reuse
            Cache-Control: no-cache                   | ETag: "v1" && Cache-Control: max-age=60, immutable       | 60       | 10       | validate REQUEST
            Cache-Control: max-age=0                  | ETag: "v1" && Cache-Control: max-age=60, immutable       | 60       | 70       | validate REQUEST
            # request min-fresh
            Cache-Control: min-fresh=30               | ETag: "v1"                                               | 60       | 20       | reuse
            Cache-Control: min-fresh=20               | ETag: "v1"                                               | 60       | 40       | reuse
            Cache-Control: min-fresh=30               | ETag: "v1"                                               | 60       | 40       | validate REQUEST
            Cache-Control: min-fresh=abc              | ETag: "v1"                                               | 60       | 0        | validate REQUEST
            # request max-stale, with and without a value
            Cache-Control: max-stale=10               | ETag: "v1"                                               | 60       | 70       | reuse
            Cache-Control: max-stale=9                | ETag: "v1"                                               | 60       | 70       | validate STALE
            Cache-Control: max-stale                  | ETag: "v1"                                               | 60       | 70       | reuse
            Cache-Control: max-stale                  | ''                                                       | 60       | 100000   | reuse
            Cache-Control: max-stale=abc              | ETag: "v1"                                               | 60       | 70       | validate STALE
            Cache-Control: max-stale=10, max-age=65   | ETag: "v1"                                               | 60       | 70       | validate REQUEST
            # must-revalidate, proxy-revalidate and s-maxage forbid serving stale
            Cache-Control: max-stale                  | ETag: "v1" && Cache-Control: must-revalidate             | 60       | 70       | validate STALE
            Cache-Control: max-stale                  | ETag: "v1" && Cache-Control: proxy-revalidate            | 60       | 70       | validate STALE
            Cache-Control: max-stale                  | ETag: "v1" && Cache-Control: s-maxage=60                 | 60       | 70       | validate STALE
            Cache-Control: max-stale                  | Cache-Control: must-revalidate                           | 60       | 70       | forward STALE
            ''                                        | ETag: "v1" && Cache-Control: must-revalidate             | 60       | 10       | reuse
            # stale-while-revalidate: reuse and refresh within the window
            ''                                        | ETag: "v1" && Cache-Control: stale-while-revalidate=30   | 60       | 59       | reuse
            ''                                        | ETag: "v1" && Cache-Control: stale-while-revalidate=30   | 60       | 70       | reuse+refresh
            ''                                        | ETag: "v1" && Cache-Control: stale-while-revalidate=30   | 60       | 90       | reuse+refresh
            ''                                        | ETag: "v1" && Cache-Control: stale-while-revalidate=30   | 60       | 91       | validate STALE
            ''                                        | ETag: "v1" && Cache-Control: stale-while-revalidate=abc  | 60       | 70       | validate STALE
            ''                                        | ETag: "v1" && Cache-Control: stale-while-revalidate=30, must-revalidate | 60 | 70 | validate STALE
            ''                                        | ETag: "v1" && Cache-Control: stale-while-revalidate=30, s-maxage=60     | 60 | 70 | validate STALE
            Cache-Control: no-cache                   | ETag: "v1" && Cache-Control: stale-while-revalidate=30   | 60       | 70       | validate REQUEST
            Cache-Control: max-stale=20               | ETag: "v1" && Cache-Control: stale-while-revalidate=30   | 60       | 70       | reuse
            # only-if-cached: a stored response or nothing, never the origin
            Cache-Control: only-if-cached             | ETag: "v1"                                               | 60       | 10       | reuse
            Cache-Control: only-if-cached             | ETag: "v1"                                               | 60       | 70       | unavailable
            Cache-Control: only-if-cached             | ''                                                       | 60       | 70       | unavailable
            Cache-Control: only-if-cached, no-cache   | ETag: "v1"                                               | 60       | 10       | unavailable
            Cache-Control: only-if-cached, max-stale  | ETag: "v1"                                               | 60       | 70       | reuse
            Cache-Control: only-if-cached             | ETag: "v1" && Cache-Control: stale-while-revalidate=30   | 60       | 70       | reuse
            """)
    void aStoredResponseIsReusedOnlyWhenFreshOrAllowedStale(String requestHeaders, String storedHeaders, long lifetime,
                                                            long askedAt, String decision) {
        StoredResponse stored = Http.stored(storedHeaders, lifetime);

        assertEquals(decision, describe(ReuseRule.decide(get(requestHeaders), List.of(stored), List.of(), at(askedAt))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # stored header lines                                                        | target list       | decision
            CDN-Cache-Control: no-cache && Cache-Control: max-age=60 && ETag: "v1"       | CDN-Cache-Control | validate STALE
            CDN-Cache-Control: no-cache && Cache-Control: max-age=60 && ETag: "v1"       | ''                | reuse
            CDN-Cache-Control: max-age=60 && Cache-Control: no-cache && ETag: "v1"       | CDN-Cache-Control | reuse
            """)
    void theTargetedFieldDecidesReuseToo(String storedHeaders, String targets, String decision) {
        StoredResponse stored = Http.stored(storedHeaders, 60);

        assertEquals(decision, describe(ReuseRule.decide(get(""), List.of(stored), ResponseDirectivesTest.targetList(targets), NOW)));
    }

    @Test
    void staleWhileRevalidateReusesWithTheCurrentAgeAndANegativeTtl() {
        StoredResponse stored = Http.stored("ETag: \"v1\" && Cache-Control: stale-while-revalidate=30", 60);

        Lookup.Reuse reuse = (Lookup.Reuse) ReuseRule.decide(get(""), List.of(stored), List.of(), at(70));

        assertEquals(Duration.ofSeconds(70), reuse.age());
        assertEquals(Duration.ofSeconds(-10), reuse.ttl());
        assertSame(stored, reuse.response());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get"})
    void onlyGetAndHeadAreAnsweredFromTheCache(String method) {
        StoredResponse stored = Http.stored("ETag: \"v1\"", 60);

        assertEquals("forward METHOD", describe(ReuseRule.decide(request(method, ""), List.of(stored), List.of(), NOW)));
        assertEquals("reuse", describe(ReuseRule.decide(request("HEAD", ""), List.of(stored), List.of(), NOW)));
    }

    @Test
    void nothingStoredIsAUriMissOrUnavailableForOnlyIfCached() {
        assertEquals("forward URI_MISS", describe(ReuseRule.decide(get(""), List.of(), List.of(), NOW)));
        assertEquals("unavailable", describe(ReuseRule.decide(get("Cache-Control: only-if-cached"), List.of(), List.of(), NOW)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # Vary                           | request that was stored                    | request now                                    | decision
            Accept-Language                  | Accept-Language: en                        | Accept-Language: en                            | reuse
            Accept-Language                  | Accept-Language: en                        | accept-language: EN                            | reuse
            Accept-Language                  | Accept-Language: en                        | Accept-Language: de                            | forward VARY_MISS
            Accept-Language                  | Accept-Language: en                        | ''                                             | forward VARY_MISS
            Accept-Language                  | ''                                         | ''                                             | reuse
            Accept-Language                  | ''                                         | Accept-Language: en                            | forward VARY_MISS
            Accept-Encoding, X-Tenant        | Accept-Encoding: gzip && X-Tenant: a       | X-Tenant: a && Accept-Encoding: gzip           | reuse
            Accept-Encoding, X-Tenant        | Accept-Encoding: gzip && X-Tenant: a       | Accept-Encoding: gzip && X-Tenant: b           | forward VARY_MISS
            Accept-Encoding                  | Accept-Encoding: gzip                      | Accept-Encoding: gzip && X-Tenant: b           | reuse
            """)
    void aVariantIsReusedOnlyForRequestsWithTheSameNominatedFields(String vary, String storedRequest, String request,
                                                                    String decision) {
        StoredResponse stored = variant("Vary: " + vary + " && ETag: \"v1\"", storedRequest, NOW, NOW);

        assertEquals(decision, describe(ReuseRule.decide(get(request), List.of(stored), List.of(), NOW)));
    }

    @Test
    void ofSeveralMatchingVariantsTheNewestByDateIsSelected() {
        StoredResponse older = variant("Date: {now-100} && ETag: \"old\"", "", NOW, NOW);
        StoredResponse newer = variant("Date: {now-10} && ETag: \"new\"", "", at(-200), at(-200));
        StoredResponse other = variant("Date: {now} && Vary: X-Tenant", "X-Tenant: b", NOW, NOW);

        assertEquals(Optional.of(newer), ReuseRule.select(get("X-Tenant: a"), List.of(older, newer, other)));
        assertEquals(Optional.of(newer), ReuseRule.select(get("X-Tenant: a"), List.of(other, newer, older)));
    }

    @Test
    void withoutDateOrWithEqualDatesTheLaterArrivalIsSelected() {
        StoredResponse earlier = variant("ETag: \"a\"", "", at(-50), at(-50));
        StoredResponse later = variant("ETag: \"b\"", "", at(-5), at(-5));
        StoredResponse datedEarlier = variant("Date: {now-100} && ETag: \"c\"", "", at(-60), at(-60));
        StoredResponse datedLater = variant("Date: {now-100} && ETag: \"d\"", "", at(-30), at(-30));

        assertEquals(Optional.of(later), ReuseRule.select(get(""), List.of(later, earlier)));
        assertEquals(Optional.of(datedLater), ReuseRule.select(get(""), List.of(datedLater, datedEarlier)));
        assertEquals(Optional.empty(), ReuseRule.select(get(""), List.of()));
    }

    /** A stored response whose variant key is that of the request it answered, as the engine stores it. */
    private static StoredResponse variant(String headers, String storedRequest, Instant requestTime, Instant responseTime) {
        ResponseHead head = response(200, headers);
        String key = VaryRule.variantKey(head.headers(), fields(storedRequest)).orElseThrow();
        return Http.stored(head, key, requestTime, responseTime, 60);
    }

    static String describe(Lookup lookup) {
        if (lookup instanceof Lookup.Reuse reuse) {
            return reuse.revalidateInBackground() ? "reuse+refresh" : "reuse";
        }
        if (lookup instanceof Lookup.Validate validate) {
            return "validate " + validate.forwardReason();
        }
        if (lookup instanceof Lookup.Forward forward) {
            return "forward " + forward.forwardReason();
        }
        return "unavailable";
    }
}
