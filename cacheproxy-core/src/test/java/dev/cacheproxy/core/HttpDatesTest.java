package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9110 §5.6.7 HTTP-date in its three forms. */
final class HttpDatesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # HTTP-date                            | instant
            Sun, 06 Nov 1994 08:49:37 GMT          | 1994-11-06T08:49:37Z
            Sunday, 06-Nov-94 08:49:37 GMT         | 1994-11-06T08:49:37Z
            Sun Nov  6 08:49:37 1994               | 1994-11-06T08:49:37Z
            Sun Nov 16 08:49:37 1994               | 1994-11-16T08:49:37Z
            sun, 06 nov 1994 08:49:37 gmt          | 1994-11-06T08:49:37Z
            SUNDAY, 06-NOV-94 08:49:37 GMT         | 1994-11-06T08:49:37Z
            SUN NOV  6 08:49:37 1994               | 1994-11-06T08:49:37Z
            Mon, 06 Nov 1994 08:49:37 GMT          | 1994-11-06T08:49:37Z
            Friday, 06-Nov-94 08:49:37 GMT         | 1994-11-06T08:49:37Z
            '  Sun, 06 Nov 1994 08:49:37 GMT  '    | 1994-11-06T08:49:37Z
            Thu, 01 Jan 1970 00:00:00 GMT          | 1970-01-01T00:00:00Z
            Sun, 01 Mar 2026 12:00:00 GMT          | 2026-03-01T12:00:00Z
            Thu, 29 Feb 2024 23:59:59 GMT          | 2024-02-29T23:59:59Z
            Wednesday, 31-Dec-99 23:59:59 GMT      | 1999-12-31T23:59:59Z
            Saturday, 01-Jan-00 00:00:00 GMT       | 2000-01-01T00:00:00Z
            Sunday, 01-Mar-26 12:00:00 GMT         | 2026-03-01T12:00:00Z
            Monday, 01-Jan-69 00:00:00 GMT         | 2069-01-01T00:00:00Z
            """)
    void theThreeFormsAreReadInAnyCaseWithTheWeekdayAsDecoration(String text, Instant expected) {
        assertEquals(Optional.of(expected), HttpDates.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "garbage",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 29 Feb 2023 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:61:37 GMT",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "06 Nov 1994 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun,06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37",
            "Sun Nov  6 08:49:37",
            "1994-11-06T08:49:37Z",
            "0",
            "-1",
    })
    void whatIsNotAnHttpDateIsRefused(String text) {
        assertEquals(Optional.empty(), HttpDates.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            1994-11-06T08:49:37Z       | Sun, 06 Nov 1994 08:49:37 GMT
            1970-01-01T00:00:00Z       | Thu, 01 Jan 1970 00:00:00 GMT
            2026-03-01T12:00:00Z       | Sun, 01 Mar 2026 12:00:00 GMT
            2026-03-01T12:00:00.999Z   | Sun, 01 Mar 2026 12:00:00 GMT
            2038-01-19T03:14:08Z       | Tue, 19 Jan 2038 03:14:08 GMT
            """)
    void instantsAreWrittenAsImfFixdateToTheSecondAndReadBack(Instant instant, String text) {
        assertEquals(text, HttpDates.format(instant));
        assertEquals(Optional.of(Instant.ofEpochSecond(instant.getEpochSecond())), HttpDates.parse(HttpDates.format(instant)));
    }

    @Test
    void aTwoDigitYearIsReadAsTheNearestYearNotMoreThanFiftyYearsAhead() {
        // As long as today lies between 2021 and 2070, 2070 is less than 50 years ahead, so '70' means 2070.
        assertEquals(Optional.of(Instant.parse("2070-01-01T00:00:00Z")), HttpDates.parse("Wednesday, 01-Jan-70 00:00:00 GMT"));
    }
}
