package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9111 §5.2 directive parsing, §1.2.2 delta-seconds, §5.4 Pragma. */
final class CacheControlTest {

    private static final String ABSENT = "<absent>";
    private static final String NO_ARGUMENT = "<none>";

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # header lines                                          | directive | its argument
            Cache-Control: MAX-AGE=60                               | max-age   | 60
            Cache-Control: No-Store                                 | no-store  | <none>
            cache-control: public                                   | public    | <none>
            Cache-Control: max-age=60 && Cache-Control: no-store    | no-store  | <none>
            Cache-Control: max-age=60 && Cache-Control: no-store    | max-age   | 60
            Cache-Control: , ,max-age=60,,                          | max-age   | 60
            Cache-Control: max-age="60"                             | max-age   | 60
            Cache-Control: private="Set-Cookie, X-Foo", max-age=5   | private   | Set-Cookie, X-Foo
            Cache-Control: private="Set-Cookie, X-Foo", max-age=5   | max-age   | 5
            Cache-Control: private="a,max-age=9", max-age=5         | max-age   | 5
            Cache-Control: ext="say \\"hi\\" \\\\ there", no-cache  | ext       | say "hi" \\ there
            Cache-Control: ext="say \\"hi\\" \\\\ there", no-cache  | no-cache  | <none>
            Cache-Control: no-cache, community="UCI"                | community | UCI
            Cache-Control: no-cache                                 | max-age   | <absent>
            Cache-Control: max-age=60                               | max       | <absent>
            Cache-Control:                                          | max-age   | <absent>
            Expires: {now}                                          | max-age   | <absent>
            """)
    void directivesAreReadCaseInsensitivelyFromEveryLineWithQuotedArgumentsUnescaped(
            String headers, String directive, String argument) {
        CacheControl directives = CacheControl.ofResponse(fields(headers));

        assertEquals(!argument.equals(ABSENT), directives.has(directive));
        Optional<String> expected = argument.equals(ABSENT) || argument.equals(NO_ARGUMENT) ? Optional.empty() : Optional.of(argument);
        assertEquals(expected, directives.argument(directive));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # Cache-Control                       | state   | seconds
            max-age=60                            | VALID   | 60
            max-age=0                             | VALID   | 0
            max-age=007                           | VALID   | 7
            max-age="60"                          | VALID   | 60
            max-age=60, max-age=60                | VALID   | 60
            max-age=2147483647                    | VALID   | 2147483647
            max-age=2147483648                    | VALID   | 2147483648
            max-age=2147483649                    | VALID   | 2147483648
            max-age=99999999999999999999999999    | VALID   | 2147483648
            max-age=-1                            | INVALID |
            max-age=1.5                           | INVALID |
            max-age=abc                           | INVALID |
            max-age=60s                           | INVALID |
            max-age=""                            | INVALID |
            max-age                               | INVALID |
            max-age=60, max-age=120               | INVALID |
            max-age=60, MAX-AGE=120               | INVALID |
            no-store                              | ABSENT  |
            """)
    void deltaSecondsAreDigitsOnlyCappedAtTwoToTheThirtyFirstAndInvalidWhenConflicting(
            String cacheControl, CacheControl.Seconds state, Long seconds) {
        CacheControl directives = CacheControl.ofResponse(fields("Cache-Control: " + cacheControl));

        assertEquals(state, directives.secondsState("max-age"));
        assertEquals(Optional.ofNullable(seconds).map(Duration::ofSeconds), directives.seconds("max-age"));
    }

    @Test
    void theCapIsTwoToTheThirtyFirstSeconds() {
        assertEquals(1L << 31, CacheControl.DELTA_SECONDS_CAP);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # header lines                                             | conflicting directives
            Cache-Control: max-age=60, no-cache                        |
            Cache-Control: max-age=60, max-age=60                      |
            Cache-Control: max-age=60 && Cache-Control: MAX-AGE=60     |
            Cache-Control: max-age=60, max-age=61                      | max-age
            Cache-Control: max-age=60 && Cache-Control: max-age=61     | max-age
            Cache-Control: max-age=60, max-age="60"                    |
            Cache-Control: no-cache, no-cache="Set-Cookie"             | no-cache
            Cache-Control: s-maxage=1, s-maxage=2, max-age=3, max-age=4| max-age s-maxage
            """)
    void aDirectiveGivenTwiceWithDifferentArgumentsIsConflicting(String headers, String conflicting) {
        Set<String> expected = conflicting == null ? Set.of() : Set.of(conflicting.split(" "));

        assertEquals(expected, CacheControl.ofResponse(fields(headers)).conflicting());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # request header lines                                   | no-cache | max-age
            Pragma: no-cache                                         | true     | false
            Pragma: foo, No-Cache                                    | true     | false
            Pragma: foo && Pragma: no-cache                          | true     | false
            Pragma: x-no-cache                                       | false    | false
            Pragma: no-cache && Cache-Control: max-age=10            | false    | true
            Pragma: no-cache && Cache-Control:                       | false    | false
            Cache-Control: no-cache                                  | true     | false
            ''                                                       | false    | false
            """)
    void aRequestPragmaNoCacheCountsOnlyWithoutCacheControl(String headers, boolean noCache, boolean maxAge) {
        CacheControl directives = CacheControl.ofRequest(fields(headers));

        assertEquals(noCache, directives.has("no-cache"));
        assertEquals(maxAge, directives.has("max-age"));
    }

    @Test
    void aResponsePragmaMeansNothing() {
        assertFalse(CacheControl.ofResponse(fields("Pragma: no-cache")).has("no-cache"));
        assertTrue(CacheControl.ofResponse(fields("Pragma: no-cache")).isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # Cache-Control                                   | directive | lower-case names
            no-cache="Set-Cookie, X-Foo"                      | no-cache  | set-cookie x-foo
            no-cache="Set-Cookie,,  X-Foo  "                  | no-cache  | set-cookie x-foo
            no-cache=Set-Cookie                               | no-cache  | set-cookie
            private="Authorization", no-cache                 | private   | authorization
            private="Authorization", no-cache                 | no-cache  |
            no-cache                                          | no-cache  |
            max-age=60                                        | no-cache  |
            """)
    void qualifiedDirectivesListTheirFieldNamesInLowerCase(String cacheControl, String directive, String names) {
        Set<String> expected = names == null ? Set.of() : Set.of(names.split(" "));

        assertEquals(expected, new TreeSet<>(CacheControl.ofResponse(fields("Cache-Control: " + cacheControl)).fieldNames(directive)));
    }

    @Test
    void unknownDirectivesAreKeptButChangeNothingElse() {
        CacheControl directives = CacheControl.ofResponse(fields("Cache-Control: foo=bar, max-age=60, baz"));

        assertTrue(directives.has("foo"));
        assertTrue(directives.has("baz"));
        assertEquals(Optional.of(Duration.ofSeconds(60)), directives.seconds("max-age"));
        assertEquals(Set.of(), directives.conflicting());
    }

    @Test
    void aMissingFieldHasNoDirectives() {
        assertTrue(CacheControl.ofResponse(fields("")).isEmpty());
        assertEquals(CacheControl.NONE, CacheControl.parse(fields("Cache-Control: max-age=1"), "CDN-Cache-Control"));
    }
}
