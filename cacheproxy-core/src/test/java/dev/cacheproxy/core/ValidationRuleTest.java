package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.at;
import static dev.cacheproxy.core.Http.fields;
import static dev.cacheproxy.core.Http.get;
import static dev.cacheproxy.core.Http.response;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.StoredResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9111 §4.3.1 (validators sent to the origin) and §4.3.2 (answering a client's conditional request). */
final class ValidationRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # stored header lines                                   | conditional header lines
            ETag: "a"                                               | If-None-Match: "a"
            ETag: W/"a"                                             | If-None-Match: W/"a"
            Last-Modified: {now-100}                                | If-Modified-Since: {now-100}
            ETag: "a" && Last-Modified: {now-100}                   | If-None-Match: "a" && If-Modified-Since: {now-100}
            Last-Modified: {now-100} && ETag: "a"                   | If-None-Match: "a" && If-Modified-Since: {now-100}
            ETag: "a" && Last-Modified: yesterday                   | If-None-Match: "a"
            Last-Modified: yesterday                                | ''
            Date: {now} && Cache-Control: max-age=60                | ''
            ''                                                      | ''
            """)
    void theStoredValidatorsBecomeTheConditionalFields(String storedHeaders, String conditional) {
        StoredResponse stored = Http.stored(storedHeaders, 60);

        assertEquals(fields(conditional), ValidationRule.validatorsFor(stored));
        assertEquals(!conditional.isEmpty(), ValidationRule.hasValidator(stored));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # request header lines                                        | stored status | stored header lines                           | not modified
            # If-None-Match: weak comparison, lists, *
            If-None-Match: "a"                                            | 200           | ETag: "a"                                     | true
            If-None-Match: W/"a"                                          | 200           | ETag: "a"                                     | true
            If-None-Match: "a"                                            | 200           | ETag: W/"a"                                   | true
            If-None-Match: W/"a"                                          | 200           | ETag: W/"a"                                   | true
            If-None-Match: "b"                                            | 200           | ETag: "a"                                     | false
            If-None-Match: "A"                                            | 200           | ETag: "a"                                     | false
            If-None-Match: "b", "a"                                       | 200           | ETag: "a"                                     | true
            If-None-Match: "b",W/"a"                                      | 200           | ETag: "a"                                     | true
            If-None-Match: "b" && If-None-Match: "a"                      | 200           | ETag: "a"                                     | true
            If-None-Match: "x,y", "a"                                     | 200           | ETag: "a"                                     | true
            If-None-Match: "a,b"                                          | 200           | ETag: "a"                                     | false
            If-None-Match: "a,b"                                          | 200           | ETag: "a,b"                                   | true
            If-None-Match: "b, a"                                         | 200           | ETag: "a"                                     | false
            If-None-Match: *                                              | 200           | ETag: "a"                                     | true
            If-None-Match: "a"                                            | 200           | ''                                            | false
            # If-None-Match takes precedence over If-Modified-Since
            If-None-Match: "b" && If-Modified-Since: {now}                | 200           | ETag: "a" && Last-Modified: {now-100}         | false
            If-None-Match: "a" && If-Modified-Since: {now-200}            | 200           | ETag: "a" && Last-Modified: {now-100}         | true
            # If-Modified-Since against Last-Modified, else Date
            If-Modified-Since: {now-100}                                  | 200           | Last-Modified: {now-100}                      | true
            If-Modified-Since: {now-100}                                  | 200           | Last-Modified: {now-200}                      | true
            If-Modified-Since: {now-100}                                  | 200           | Last-Modified: {now-50}                       | false
            If-Modified-Since: {now-100}                                  | 200           | Date: {now-200}                               | true
            If-Modified-Since: {now-100}                                  | 200           | Date: {now-50}                                | false
            If-Modified-Since: {now-100}                                  | 200           | Last-Modified: {now-50} && Date: {now-200}    | false
            If-Modified-Since: {now-100}                                  | 200           | Last-Modified: {now-200} && Date: {now}       | true
            If-Modified-Since: {now-100}                                  | 200           | Last-Modified: garbage && Date: {now-200}     | true
            If-Modified-Since: garbage                                    | 200           | Last-Modified: {now-200}                      | false
            # only a stored 200 is ever answered with 304
            If-None-Match: "a"                                            | 404           | ETag: "a"                                     | false
            If-None-Match: "a"                                            | 203           | ETag: "a"                                     | false
            If-Modified-Since: {now}                                      | 301           | Last-Modified: {now-200}                      | false
            # no precondition
            ''                                                            | 200           | ETag: "a" && Last-Modified: {now-200}         | false
            """)
    void aClientsConditionalRequestIsAnsweredNotModifiedWhenTheStoredResponseSatisfiesIt(
            String requestHeaders, int storedStatus, String storedHeaders, boolean notModified) {
        StoredResponse stored = Http.stored(storedStatus, storedHeaders, 60);

        assertEquals(notModified, ValidationRule.notModifiedFor(get(requestHeaders), stored));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            If-None-Match: *        | Last-Modified: {now-100}
            If-None-Match: *        | ''
            """)
    void ifNoneMatchStarIsSatisfiedByAnyStoredRepresentation(String requestHeaders, String storedHeaders) {
        assertEquals(true, ValidationRule.notModifiedFor(get(requestHeaders), Http.stored(storedHeaders, 60)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # received at (s from NOW) | If-Modified-Since | not modified
            -200                       | {now-100}         | true
            -50                        | {now-100}         | false
            """)
    void ifModifiedSinceFallsBackToTheTimeTheResponseWasReceived(long receivedAt, String ifModifiedSince, boolean notModified) {
        StoredResponse stored = Http.stored(response(200, ""), "", at(receivedAt), at(receivedAt), 60);

        assertEquals(notModified, ValidationRule.notModifiedFor(get("If-Modified-Since: " + ifModifiedSince), stored));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "a"      | "a"      | true
            ' "a" '  | "a"      | true
            "a"      | "b"      | false
            W/"a"    | "a"      | false
            "a"      | W/"a"    | false
            W/"a"    | W/"a"    | false
            "a"      | "A"      | false
            """)
    void onlyTwoEqualStrongTagsMatchStrongly(String one, String another, boolean matches) {
        assertEquals(matches, ValidationRule.stronglyMatches(one, another));
    }
}
