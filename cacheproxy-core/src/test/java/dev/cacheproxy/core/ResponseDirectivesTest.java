package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9213 §2.1 and §2.2: which field's directives a cache with a target list obeys. */
final class ResponseDirectivesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # target list (space separated)        | response header lines                                                             | source              | a directive obeyed | a directive ignored
            CDN-Cache-Control                      | Cache-Control: max-age=60                                                         | Cache-Control       | max-age            | no-store
            CDN-Cache-Control                      | CDN-Cache-Control: max-age=600 && Cache-Control: no-store                         | CDN-Cache-Control   | max-age            | no-store
            CDN-Cache-Control                      | cdn-cache-control: no-store && Cache-Control: max-age=60                          | CDN-Cache-Control   | no-store           | max-age
            CDN-Cache-Control                      | CDN-Cache-Control: max-age=600 && CDN-Cache-Control: private                      | CDN-Cache-Control   | private            | no-store
            CDN-Cache-Control                      | CDN-Cache-Control: MaX-aGe=1 && Cache-Control: no-store                           | Cache-Control       | no-store           | max-age
            CDN-Cache-Control                      | CDN-Cache-Control: max-age=60, && Cache-Control: no-store                         | Cache-Control       | no-store           | max-age
            CDN-Cache-Control                      | CDN-Cache-Control: max-age=60 && CDN-Cache-Control: Bad && Cache-Control: no-store| Cache-Control       | no-store           | max-age
            CDN-Cache-Control                      | CDN-Cache-Control: max-age=1.5.5 && Cache-Control: no-store                       | Cache-Control       | no-store           | max-age
            Acme-Cache-Control CDN-Cache-Control   | Acme-Cache-Control: no-store && CDN-Cache-Control: max-age=60 && Cache-Control: private | Acme-Cache-Control | no-store   | max-age
            Acme-Cache-Control CDN-Cache-Control   | Acme-Cache-Control: No-Store && CDN-Cache-Control: max-age=60 && Cache-Control: private | CDN-Cache-Control  | max-age    | private
            Acme-Cache-Control CDN-Cache-Control   | CDN-Cache-Control: max-age=60 && Cache-Control: private                           | CDN-Cache-Control   | max-age            | private
            Acme-Cache-Control CDN-Cache-Control   | Acme-Cache-Control: X && CDN-Cache-Control: Y && Cache-Control: private           | Cache-Control       | private            | x
            ''                                     | CDN-Cache-Control: max-age=600 && Cache-Control: no-store                         | Cache-Control       | no-store           | max-age
            Acme-Cache-Control                     | CDN-Cache-Control: max-age=600 && Cache-Control: no-store                         | Cache-Control       | no-store           | max-age
            """)
    void theFirstValidTargetedFieldReplacesCacheControl(String targets, String headers, String source,
                                                        String obeyed, String ignored) {
        ResponseDirectives directives = ResponseDirectives.of(fields(headers), targetList(targets));

        assertEquals(source, directives.source());
        assertEquals(source.equals("Cache-Control"), directives.expiresApplies());
        assertTrue(directives.directives().has(obeyed));
        assertFalse(directives.directives().has(ignored));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            CDN-Cache-Control: && Cache-Control: no-store
            CDN-Cache-Control: && Cache-Control: private, max-age=60
            """)
    void anEmptyTargetedFieldIsIgnored(String headers) {
        ResponseDirectives directives = ResponseDirectives.of(fields(headers), Http.CDN);

        assertEquals("Cache-Control", directives.source());
        assertFalse(directives.directives().isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # CDN-Cache-Control        | directive | its seconds, when any
            max-age=600;foo=bar        | max-age   | 600
            no-store;foo               | no-store  |
            private;foo=1, max-age=60  | private   |
            max-age=60, no-cache;a=?1  | no-cache  |
            """)
    void parametersOnTargetedDirectivesAreIgnored(String targeted, String directive, Long seconds) {
        CacheControl directives = ResponseDirectives.of(fields("CDN-Cache-Control: " + targeted), Http.CDN).directives();

        assertTrue(directives.has(directive));
        if (seconds != null) {
            assertEquals(Optional.of(Duration.ofSeconds(seconds)), directives.seconds(directive));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            max-age="10000"
            s-maxage="10000"
            max-age=1.5
            max-age=60, s-maxage="10000"
            """)
    void aTargetedFieldWithAWronglyTypedDirectiveIsIgnoredAndCacheControlApplies(String targeted) {
        ResponseDirectives directives = ResponseDirectives.of(fields("CDN-Cache-Control: " + targeted + " && Cache-Control: max-age=60"), Http.CDN);

        assertEquals("Cache-Control", directives.source());
        assertEquals(Optional.of(Duration.ofSeconds(60)), directives.directives().seconds("max-age"));
        assertFalse(directives.directives().has("s-maxage"));
    }

    static List<String> targetList(String targets) {
        return targets == null || targets.isBlank() ? List.of() : List.of(targets.split(" "));
    }
}
