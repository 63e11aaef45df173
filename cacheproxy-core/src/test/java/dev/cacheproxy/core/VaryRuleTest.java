package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9111 §4.1: which requests a stored variant answers. */
final class VaryRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # response header lines                          | nominated fields, sorted   | varies on everything
            Vary: Accept-Encoding                            | accept-encoding            | false
            Vary: User-Agent, Accept-Encoding                | accept-encoding user-agent | false
            Vary: User-Agent && vary: ACCEPT-encoding        | accept-encoding user-agent | false
            Vary: ,Accept,, ,                                | accept                     | false
            Vary: Accept, accept                             | accept                     | false
            Vary: *                                          | *                          | true
            Vary: Accept, *                                  | * accept                   | true
            Vary: Accept && Vary: *                          | * accept                   | true
            Vary:                                            | ''                         | false
            ''                                               | ''                         | false
            """)
    void varyNominatesLowerCaseFieldNamesFromEveryLine(String headers, String nominated, boolean everything) {
        List<String> expected = nominated.isEmpty() ? List.of() : List.of(nominated.split(" "));

        assertEquals(expected, VaryRule.nominatedFields(fields(headers)));
        assertEquals(everything, VaryRule.variesOnEverything(fields(headers)));
    }

    @Test
    void varyAuthorizationKeepsUsersTheServerAuthenticatedApartWithoutNamingThem() {
        HeaderFields vary = fields("Vary: Authorization");
        RequestHead alice = Http.get("").withAuthenticatedUser("alice");
        RequestHead bob = Http.get("").withAuthenticatedUser("bob");

        assertEquals(VaryRule.variantKey(vary, alice), VaryRule.variantKey(vary, Http.get("").withAuthenticatedUser("alice")));
        assertNotEquals(VaryRule.variantKey(vary, alice), VaryRule.variantKey(vary, bob));
        assertNotEquals(VaryRule.variantKey(vary, alice), VaryRule.variantKey(vary, Http.get("")));
        assertFalse(VaryRule.variantKey(vary, alice).orElseThrow().contains("alice"));
        assertEquals(true, VaryRule.selects(vary, Http.get("").withAuthenticatedUser("alice"), VaryRule.variantKey(vary, alice).orElseThrow()));
        assertEquals(false, VaryRule.selects(vary, bob, VaryRule.variantKey(vary, alice).orElseThrow()));
        // An Authorization field the client sent is what the key holds, as for any other field.
        assertEquals(VaryRule.variantKey(vary, fields("Authorization: Bearer x")),
                VaryRule.variantKey(vary, Http.get("Authorization: Bearer x").withAuthenticatedUser("alice")));
    }

    @Test
    void varyStarHasNoVariantKey() {
        assertEquals(Optional.empty(), VaryRule.variantKey(fields("Vary: Accept, *"), fields("Accept: text/html")));
        assertEquals(Optional.of(""), VaryRule.variantKey(fields(""), fields("Accept: text/html")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # Vary                    | one request's header lines                | another request's header lines                 | same variant
            # absent, empty, several lines, white space
            X-Foo                     | ''                                        | ''                                             | true
            X-Foo                     | ''                                        | X-Foo:                                         | false
            X-Foo                     | X-Foo: a, b                               | X-Foo: a && X-Foo: b                           | true
            X-Foo                     | X-Foo: a ,   b                            | X-Foo: a,b                                     | true
            X-Foo                     | X-Foo: a  \t b                            | X-Foo: a b                                     | true
            X-Foo                     | X-Foo: a,,b,                              | X-Foo: a, b                                    | true
            X-Foo                     | X-Foo: a                                  | x-foo: a                                       | true
            X-Foo                     | X-Foo: a                                  | X-Foo: A                                       | false
            X-Foo                     | X-Foo: a, b                               | X-Foo: b, a                                    | false
            X-Foo                     | X-Foo: ab                                 | X-Foo: a b                                     | false
            X-Foo                     | X-Foo: a                                  | X-Foo: a && X-Bar: b                           | true
            X-Foo, X-Bar              | X-Foo: a && X-Bar: b                      | X-Bar: b && X-Foo: a                           | true
            X-Foo, X-Bar              | X-Foo: a && X-Bar: b                      | X-Foo: a && X-Bar: c                           | false
            X-Foo, X-Bar              | X-Foo: a                                  | X-Bar: a                                       | false
            X-Foo, X-Bar              | X-Foo: a, b                               | X-Foo: a && X-Bar: b                           | false
            # weighted token lists: case, weights, order of different weights
            Accept-Language           | Accept-Language: en                       | Accept-Language: EN                            | true
            Accept-Language           | Accept-Language: en;q=1.0                 | Accept-Language: en                            | true
            Accept-Language           | Accept-Language: en;q=1                   | Accept-Language: en;q=1.000                    | true
            Accept-Language           | Accept-Language: en, DE;q=0.5             | Accept-Language: de;q=0.50,en                  | true
            Accept-Language           | Accept-Language: en, de;q=0.5             | Accept-Language: en && Accept-Language: de;Q=0.5 | true
            Accept-Language           | Accept-Language: en;q=0.5                 | Accept-Language: en;q=0.6                      | false
            Accept-Language           | Accept-Language: en, de;q=0.5             | Accept-Language: de, en;q=0.5                  | false
            Accept-Language           | Accept-Language: en                       | Accept-Language: de                            | false
            Accept-Language           | Accept-Language: en                       | Accept-Language: en, de                        | false
            Accept-Language           | Accept-Language: en;q=2                   | Accept-Language: en                            | false
            Accept-Language           | Accept-Language: en;level=1               | Accept-Language: en                            | false
            Accept-Language           | ''                                        | Accept-Language:                               | false
            Accept-Encoding           | Accept-Encoding: gzip, br                 | Accept-Encoding: br, gzip                      | true
            Accept-Encoding           | Accept-Encoding: GZIP;q=0.5, br           | Accept-Encoding: br, gzip;q=0.5                | true
            Accept-Encoding           | Accept-Encoding: gzip;q=0                 | Accept-Encoding: gzip;q=0.000                  | true
            Accept-Encoding           | Accept-Encoding: gzip;q=0                 | Accept-Encoding: gzip                          | false
            Accept-Encoding           | Accept-Encoding: gzip                     | Accept-Encoding: gzip, br                      | false
            Accept-Charset            | Accept-Charset: UTF-8, iso-8859-1;q=0.5   | Accept-Charset: ISO-8859-1;q=0.5, utf-8        | true
            Accept                    | Accept: text/html, application/json       | Accept: application/json, text/html            | false
            """)
    void requestsSelectTheSameVariantOnlyWhenTheirNominatedFieldsMeanTheSame(String vary, String one, String another,
                                                                              boolean same) {
        Optional<String> oneKey = VaryRule.variantKey(fields("Vary: " + vary), fields(one));
        Optional<String> anotherKey = VaryRule.variantKey(fields("Vary: " + vary), fields(another));

        assertEquals(same, oneKey.equals(anotherKey), oneKey + " vs " + anotherKey);
        assertEquals(same, VaryRule.selects(fields("Vary: " + vary), Http.get(another), oneKey.orElseThrow()),
                "the other request selects the response the first one stored");
        assertEquals(true, VaryRule.selects(fields("Vary: " + vary), Http.get(one), oneKey.orElseThrow()));
    }

    @Test
    void aResponseWithoutVarySelectsEveryRequestAndOneWithVaryStarNone() {
        assertEquals(true, VaryRule.selects(fields(""), Http.get("Accept: text/html"), ""));
        assertEquals(false, VaryRule.selects(fields("Vary: *"), Http.get("Accept: text/html"), ""));
        assertEquals(false, VaryRule.selects(fields("Vary: Accept"), Http.get("Accept: text/html"), ""),
                "a key stored without Vary is not this response's");
        String stored = VaryRule.variantKey(fields("Vary: Accept"), fields("Accept: text/html")).orElseThrow();
        assertEquals(false, VaryRule.selects(fields("Vary: Accept"), Http.get("Accept: text/html"), stored + "x"), "nothing after the key");
        assertEquals(false, VaryRule.selects(fields("Vary: Accept"), Http.get("Accept: text/htm"), stored), "a prefix of the value");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            en, DE;q=0.5                | en;q=1,de;q=0.5
            de;q=0.50,en                | en;q=1,de;q=0.5
            en;q=1.0                    | en;q=1
            en ; q = 0.8                | en;q=0.8
            da, en-gb;q=0.8, en;q=0.7   | da;q=1,en-gb;q=0.8,en;q=0.7
            gzip;q=0                    | gzip;q=0
            ',, gzip ,'                 | gzip;q=1
            """)
    void weightedListsAreWrittenAsLowerCaseTokensWithTheirWeightsHighestFirst(String value, String normalised) {
        assertEquals(normalised, VaryRule.normaliseWeighted(value));
    }

    /*
     * A deliberate choice: tags of equal weight are one preference (RFC 9110 §12.4.2 gives weights, not
     * order, the meaning), so requests that list them in another order share a variant, as the cache
     * test suite's vary-normalise-lang-order counts optimal. Different weights stay different variants.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Accept-Language: en, de           | Accept-Language: de, en
            Accept-Language: fr, en;q=0.5, de;q=0.5 | Accept-Language: fr, de;q=0.5, en;q=0.5
            """)
    void equalWeightLanguagesInAnotherOrderShareAVariant(String one, String another) {
        HeaderFields vary = fields("Vary: Accept-Language");

        assertEquals(VaryRule.variantKey(vary, fields(one)), VaryRule.variantKey(vary, fields(another)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Accept-Language: en, de;q=0.5     | Accept-Language: de, en;q=0.5
            """)
    void languagesOfDifferentWeightsInAnotherOrderAreAnotherVariant(String one, String another) {
        HeaderFields vary = fields("Vary: Accept-Language");

        assertNotEquals(VaryRule.variantKey(vary, fields(one)), VaryRule.variantKey(vary, fields(another)));
    }
}
