package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.at;
import static dev.cacheproxy.core.Http.fields;
import static dev.cacheproxy.core.Http.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9111 §4.2.4 (serving stale responses) with RFC 5861 §4 ({@code stale-if-error}). Stored responses
 * are fresh for 60 s from NOW; the origin's error is a status, or {@code unreachable}.
 */
final class StaleRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # request header lines              | stored header lines                                            | failed at | origin      | unreachable allowance | answer
            # stale-if-error on the response, for 500, 502, 503 and 504 only
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | 500         | 0    | reuse
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | 502         | 0    | reuse
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | 503         | 0    | reuse
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | 504         | 0    | reuse
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | 404         | 3600 | none
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | 501         | 3600 | none
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | 505         | 3600 | none
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | 200         | 3600 | none
            ''                                  | Cache-Control: stale-if-error=60                               | 120       | 500         | 0    | reuse
            ''                                  | Cache-Control: stale-if-error=60                               | 121       | 500         | 0    | none
            ''                                  | Cache-Control: stale-if-error=60                               | 100       | unreachable | 0    | reuse
            ''                                  | Cache-Control: stale-if-error=abc                              | 100       | 500         | 0    | none
            # stale-if-error on the request
            Cache-Control: stale-if-error=60    | ''                                                             | 100       | 503         | 0    | reuse
            Cache-Control: stale-if-error=60    | ''                                                             | 121       | 503         | 0    | none
            Cache-Control: stale-if-error=60    | ''                                                             | 100       | 404         | 0    | none
            Cache-Control: stale-if-error=10    | Cache-Control: stale-if-error=60                               | 100       | 500         | 0    | reuse
            ''                                  | ''                                                             | 100       | 500         | 3600 | none
            # unreachable origin: the configured allowance, when the response had explicit freshness and says nothing more
            ''                                  | Cache-Control: max-age=60                                      | 100       | unreachable | 3600 | reuse
            ''                                  | Cache-Control: max-age=60                                      | 100       | unreachable | 40   | reuse
            ''                                  | Cache-Control: max-age=60                                      | 100       | unreachable | 39   | none
            ''                                  | Cache-Control: max-age=60                                      | 100       | unreachable | 0    | none
            ''                                  | Expires: Thu, 01 Jan 2099 00:00:00 GMT                         | 100       | unreachable | 3600 | reuse
            # ... but never one whose freshness was guessed or that never had any
            ''                                  | ''                                                             | 100       | unreachable | 3600 | none
            ''                                  | Last-Modified: Thu, 01 Jan 2015 00:00:00 GMT                   | 100       | unreachable | 3600 | none
            ''                                  | ETag: "v"                                                      | 100       | unreachable | 3600 | none
            Cookie: user=b                      | Last-Modified: Thu, 01 Jan 2015 00:00:00 GMT                   | 100       | unreachable | 3600 | none
            # must-revalidate, proxy-revalidate, s-maxage and no-cache forbid serving stale
            ''                                  | Cache-Control: must-revalidate, stale-if-error=60              | 100       | 500         | 0    | none
            ''                                  | Cache-Control: must-revalidate                                 | 100       | unreachable | 3600 | none
            ''                                  | Cache-Control: proxy-revalidate, stale-if-error=60             | 100       | 500         | 0    | none
            ''                                  | Cache-Control: s-maxage=60, stale-if-error=60                  | 100       | 500         | 0    | none
            ''                                  | Cache-Control: s-maxage=60                                     | 100       | unreachable | 3600 | none
            ''                                  | Cache-Control: no-cache, stale-if-error=60                     | 100       | 500         | 0    | none
            Cache-Control: stale-if-error=60    | Cache-Control: must-revalidate                                 | 100       | 500         | 0    | none
            # a fresh stored response still holds when the origin cannot be reached
            ''                                  | ''                                                             | 10        | unreachable | 0    | reuse
            ''                                  | Cache-Control: s-maxage=60                                     | 10        | unreachable | 0    | reuse
            ''                                  | Cache-Control: no-cache                                        | 10        | unreachable | 3600 | none
            ''                                  | Cache-Control: must-revalidate                                 | 10        | unreachable | 3600 | none
            # the targeted field decides for a CDN
            ''                                  | CDN-Cache-Control: must-revalidate && Cache-Control: stale-if-error=60 | 100 | 500      | 0    | none
            ''                                  | CDN-Cache-Control: stale-if-error=60 && Cache-Control: must-revalidate | 100 | 500      | 0    | reuse
            """)
    void aStoredResponseStandsInForAFailedOriginOnlyWhereAllowed(String requestHeaders, String storedHeaders, long failedAt,
                                                                 String origin, long allowance, String answer) {
        assertEquals(answer, answer(requestHeaders, storedHeaders, 60, failedAt, origin, allowance));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # stored header lines      | lifetime | failed at
            ''                         | 0        | 0
            Cache-Control: max-age=0   | 0        | 0
            ''                         | 60       | 60
            """)
    void aZeroAllowanceNeverServesAStaleResponseWhenTheOriginIsUnreachable(String storedHeaders, long lifetime, long failedAt) {
        assertEquals("none", answer("", storedHeaders, lifetime, failedAt, "unreachable", 0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # response Cache-Control                  | must not serve stale
            must-revalidate                           | true
            proxy-revalidate                          | true
            s-maxage=60                               | true
            no-cache                                  | true
            no-cache="Set-Cookie"                     | true
            MUST-REVALIDATE                           | true
            max-age=60, stale-while-revalidate=30     | false
            public                                    | false
            ''                                        | false
            """)
    void revalidationDirectivesForbidServingStale(String cacheControl, boolean forbidden) {
        assertEquals(forbidden, StaleRule.mustNotServeStale(CacheControl.ofResponse(fields("Cache-Control: " + cacheControl))));
    }

    private static String answer(String requestHeaders, String storedHeaders, long lifetime, long failedAt, String origin,
                                 long allowance) {
        StoredResponse stored = Http.stored(storedHeaders, lifetime);
        OptionalInt status = origin.equals("unreachable") ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(origin));
        Optional<Lookup.Reuse> reuse = StaleRule.onOriginError(get(requestHeaders), stored, status, Http.CDN,
                Duration.ofSeconds(allowance), at(failedAt));
        reuse.ifPresent(it -> assertEquals(Duration.ofSeconds(failedAt), it.age()));
        return reuse.isPresent() ? "reuse" : "none";
    }
}
