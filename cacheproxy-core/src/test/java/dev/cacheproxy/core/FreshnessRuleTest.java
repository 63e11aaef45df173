package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.NOW;
import static dev.cacheproxy.core.Http.at;
import static dev.cacheproxy.core.Http.fields;
import static dev.cacheproxy.core.Http.response;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9111 §4.2: freshness lifetime (§4.2.1, §4.2.2), age (§4.2.3) and freshness. */
final class FreshnessRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # status | response header lines (received at NOW)                                     | lifetime, blank when none
            # explicit: s-maxage, then max-age, then Expires - Date
            200      | Cache-Control: max-age=60                                                   | 60
            200      | Cache-Control: max-age=0                                                    | 0
            200      | Cache-Control: max-age=60, s-maxage=120                                     | 120
            200      | Cache-Control: s-maxage=0, max-age=60                                       | 0
            200      | Cache-Control: max-age=60 && Expires: {now+600} && Date: {now}              | 60
            200      | Cache-Control: s-maxage=30 && Expires: {now+600} && Date: {now}             | 30
            200      | Expires: {now+600} && Date: {now}                                           | 600
            200      | Expires: {now+600} && Date: {now-100}                                       | 700
            200      | Expires: {now+600}                                                          | 600
            200      | Expires: {now+600} && Date: not a date                                      | 600
            200      | Expires: {now-60} && Date: {now}                                            | 0
            200      | Expires: {now} && Date: {now}                                               | 0
            200      | Expires: 0 && Date: {now}                                                   | 0
            200      | Expires: 0 && Date: {now} && Last-Modified: {now-100000}                    | 0
            200      | Expires: {now+600} && Expires: {now+600} && Date: {now}                     | 0
            500      | Expires: {now+600} && Date: {now}                                           | 600
            599      | Cache-Control: max-age=60                                                   | 60
            200      | Cache-Control: no-cache, max-age=60                                         | 60
            200      | Cache-Control: max-age=99999999999                                          | 2147483648
            # invalid or conflicting freshness: stale (zero), never a fall back to the next source
            200      | Cache-Control: max-age=-1 && Expires: {now+600} && Date: {now}              | 0
            200      | Cache-Control: max-age=abc, s-maxage=60                                     | 60
            200      | Cache-Control: s-maxage=abc, max-age=60                                     | 0
            200      | Cache-Control: max-age=60, max-age=70                                       | 0
            200      | Cache-Control: max-age=60 && Cache-Control: max-age=70                      | 0
            200      | Cache-Control: max-age=1.5 && Last-Modified: {now-100000}                   | 0
            # heuristic: 10% of Date - Last-Modified, at most a day, for heuristically cacheable status or public
            200      | Last-Modified: {now-10000} && Date: {now}                                   | 1000
            200      | Last-Modified: {now-10000} && Date: {now-5000}                              | 500
            200      | Last-Modified: {now-10000}                                                  | 1000
            200      | Last-Modified: {now-10009} && Date: {now}                                   | 1000
            200      | Last-Modified: {now-10000000} && Date: {now}                                | 86400
            203      | Last-Modified: {now-10000} && Date: {now}                                   | 1000
            204      | Last-Modified: {now-10000} && Date: {now}                                   | 1000
            301      | Last-Modified: {now-10000} && Date: {now}                                   | 1000
            404      | Last-Modified: {now-10000} && Date: {now}                                   | 1000
            410      | Last-Modified: {now-10000} && Date: {now}                                   | 1000
            501      | Last-Modified: {now-10000} && Date: {now}                                   | 1000
            302      | Last-Modified: {now-10000} && Date: {now}                                   |
            500      | Last-Modified: {now-10000} && Date: {now}                                   |
            201      | Last-Modified: {now-10000} && Date: {now}                                   |
            302      | Last-Modified: {now-10000} && Date: {now} && Cache-Control: public          | 1000
            500      | Last-Modified: {now-10000} && Date: {now} && Cache-Control: public          | 1000
            200      | Last-Modified: {now} && Date: {now}                                         |
            200      | Last-Modified: {now+100} && Date: {now}                                     |
            200      | Last-Modified: last week && Date: {now}                                     |
            200      | Date: {now}                                                                 |
            200      | ''                                                                          |
            200      | Cache-Control: public                                                       |
            """)
    void theLifetimeComesFromTheFirstExplicitSourceOrElseAHeuristic(int status, String headers, Long lifetime) {
        ResponseHead response = response(status, headers);

        Optional<Duration> expected = Optional.ofNullable(lifetime).map(Duration::ofSeconds);
        assertEquals(expected, FreshnessRule.lifetime(response, ResponseDirectives.of(response.headers(), List.of()), NOW)
                .map(FreshnessRule.Lifetime::duration));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # response header lines                                                                         | lifetime for a CDN
            CDN-Cache-Control: max-age=30 && Cache-Control: max-age=60                                      | 30
            CDN-Cache-Control: max-age=30 && Cache-Control: s-maxage=60                                     | 30
            CDN-Cache-Control: s-maxage=90, max-age=30 && Cache-Control: max-age=60                         | 90
            CDN-Cache-Control: no-store && Expires: {now+600} && Date: {now}                                |
            CDN-Cache-Control: public && Expires: {now+600} && Last-Modified: {now-1000} && Date: {now}     | 100
            CDN-Cache-Control: Bad && Cache-Control: max-age=60                                             | 60
            CDN-Cache-Control: Bad && Expires: {now+600} && Date: {now}                                     | 600
            Cache-Control: max-age=60                                                                       | 60
            """)
    void aTargetedFieldReplacesCacheControlAndExpires(String headers, Long lifetime) {
        ResponseHead response = response(200, headers);

        Optional<Duration> expected = Optional.ofNullable(lifetime).map(Duration::ofSeconds);
        assertEquals(expected, FreshnessRule.lifetime(response, ResponseDirectives.of(response.headers(), Http.CDN), NOW)
                .map(FreshnessRule.Lifetime::duration));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # stored header lines                 | request sent | response received | now  | current age
            # (times in seconds from NOW)
            ''                                    | 0            | 0                 | 0    | 0
            ''                                    | 0            | 0                 | 100  | 100
            ''                                    | -5           | 0                 | 0    | 5
            Date: {now-50}                        | 0            | 0                 | 0    | 50
            Date: {now-50}                        | 0            | 0                 | 30   | 80
            Date: {now-50} && Age: 10             | 0            | 0                 | 0    | 50
            Date: {now} && Age: 100               | 0            | 0                 | 0    | 100
            Date: {now} && Age: 100               | -5           | 0                 | 0    | 105
            Date: {now-50} && Age: 100            | -5           | 0                 | 30   | 135
            Date: {now-200} && Age: 100           | -5           | 0                 | 30   | 230
            Date: {now+100}                       | 0            | 0                 | 0    | 0
            Date: {now+100} && Age: 7             | 0            | 0                 | 3    | 10
            Date: not a date && Age: 7            | 0            | 0                 | 0    | 7
            Age: 2147483648                       | 0            | 0                 | 0    | 2147483648
            Age: 99999999999999999999             | 0            | 0                 | 0    | 2147483648
            Age: -10                              | 0            | 0                 | 0    | 0
            Age: 10a                              | 0            | 0                 | 0    | 0
            Age: 1.5                              | 0            | 0                 | 0    | 0
            Age: 10, 20                           | 0            | 0                 | 0    | 10
            Age: 10 && Age: 20                    | 0            | 0                 | 0    | 10
            Age: 10a, 20                          | 0            | 0                 | 0    | 0
            Age: 10 && Date: {now}                | 0            | 0                 | -5   | 10
            """)
    void theCurrentAgeIsTheCorrectedInitialAgePlusTheResidentTime(String headers, long requestAt, long responseAt,
                                                                  long nowAt, long age) {
        StoredResponse stored = Http.stored(response(200, headers), "", at(requestAt), at(responseAt), 0);

        assertEquals(Duration.ofSeconds(age), FreshnessRule.currentAge(stored, at(nowAt)));
    }

    @Test
    void theAgeIsInWholeSeconds() {
        StoredResponse stored = Http.stored(response(200, ""), "", NOW, NOW, 1);

        assertEquals(Duration.ZERO, FreshnessRule.currentAge(stored, NOW.plusMillis(999)));
        assertEquals(Duration.ofSeconds(1), FreshnessRule.currentAge(stored, NOW.plusMillis(1999)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # stored header lines  | lifetime | now (s after storing) | fresh
            ''                     | 60       | 0                     | true
            ''                     | 60       | 59                    | true
            ''                     | 60       | 60                    | false
            ''                     | 60       | 61                    | false
            ''                     | 0        | 0                     | false
            Age: 30                | 60       | 29                    | true
            Age: 30                | 60       | 30                    | false
            Date: {now-59}         | 60       | 0                     | true
            Date: {now-60}         | 60       | 0                     | false
            """)
    void aResponseIsFreshWhileItsLifetimeExceedsItsAge(String headers, long lifetime, long nowAt, boolean fresh) {
        StoredResponse stored = Http.stored(headers, lifetime);

        assertEquals(fresh, FreshnessRule.isFresh(stored, at(nowAt)));
    }

    @Test
    void explicitFreshnessIsAnyMaxAgeSMaxageOrExpiresEvenAnInvalidOne() {
        record Row(String headers, List<String> targets, boolean explicit) {
        }
        for (Row row : List.of(
                new Row("Cache-Control: max-age=abc", List.of(), true),
                new Row("Cache-Control: s-maxage=1", List.of(), true),
                new Row("Expires: 0", List.of(), true),
                new Row("Cache-Control: public, no-cache", List.of(), false),
                new Row("Last-Modified: {now-100}", List.of(), false),
                new Row("CDN-Cache-Control: public && Expires: {now+60}", Http.CDN, false),
                new Row("CDN-Cache-Control: max-age=1 && Expires: {now+60}", Http.CDN, true))) {
            var headers = fields(row.headers());
            assertEquals(row.explicit(), FreshnessRule.hasExplicitFreshness(headers, ResponseDirectives.of(headers, row.targets())),
                    row.headers());
        }
    }
}
