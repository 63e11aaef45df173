package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9110 §14 ranges served from a stored complete response (RFC 9111 §3.4): one satisfiable byte
 * range is a part, with its {@code Content-Range}; an unsatisfiable one is {@code bytes *}{@code /length};
 * anything else is the whole response.
 */
final class RangeRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # Range                          | body length | outcome
            bytes=0-1                        | 10          | bytes 0-1/10
            bytes=1-                         | 10          | bytes 1-9/10
            bytes=-1                         | 10          | bytes 9-9/10
            bytes=9-9                        | 10          | bytes 9-9/10
            bytes=0-9                        | 10          | bytes 0-9/10
            bytes=0-                         | 10          | bytes 0-9/10
            bytes=-10                        | 10          | bytes 0-9/10
            bytes=-20                        | 10          | bytes 0-9/10
            bytes=5-100                      | 10          | bytes 5-9/10
            bytes=0-999999999999999999       | 10          | bytes 0-9/10
            BYTES=0-1                        | 10          | bytes 0-1/10
            ' bytes = 0-1 '                  | 10          | bytes 0-1/10
            # unsatisfiable: nothing of the body is asked for
            bytes=10-                        | 10          | bytes */10
            bytes=10-20                      | 10          | bytes */10
            bytes=-0                         | 10          | bytes */10
            bytes=0-                         | 0           | bytes */0
            bytes=-5                         | 0           | bytes */0
            # several ranges, other units, invalid specs: the whole response
            bytes=0-1,3-4                    | 10          | whole
            bytes=0-1, 5-6                   | 10          | whole
            bytes=0-1,                       | 10          | whole
            items=0-1                        | 10          | whole
            bytes 0-1                        | 10          | whole
            bytes=                           | 10          | whole
            bytes=5                          | 10          | whole
            bytes=-                          | 10          | whole
            bytes=2-1                        | 10          | whole
            bytes=a-b                        | 10          | whole
            bytes=1-b                        | 10          | whole
            bytes=1-2-3                      | 10          | whole
            bytes=+1-2                       | 10          | whole
            bytes=0-9999999999999999999      | 10          | whole
            garbage                          | 10          | whole
            """)
    void oneByteRangeIsClippedToTheBody(String range, long length, String outcome) {
        assertEquals(outcome, describe(RangeRule.parse(range, length)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # method | stored status | stored header lines                           | request header lines                                                   | outcome
            GET      | 200           | ETag: "a"                                     | Range: bytes=0-1                                                       | bytes 0-1/10
            GET      | 200           | ETag: "a"                                     | Range: bytes=20-                                                       | bytes */10
            GET      | 200           | ETag: "a"                                     | ''                                                                     | whole
            HEAD     | 200           | ETag: "a"                                     | Range: bytes=0-1                                                       | whole
            GET      | 404           | ETag: "a"                                     | Range: bytes=0-1                                                       | whole
            GET      | 203           | ETag: "a"                                     | Range: bytes=0-1                                                       | whole
            # If-Range: a strong entity-tag match, or Last-Modified equal to the date
            GET      | 200           | ETag: "a"                                     | Range: bytes=0-1 && If-Range: "a"                                      | bytes 0-1/10
            GET      | 200           | ETag: "a"                                     | Range: bytes=0-1 && If-Range: "b"                                      | whole
            GET      | 200           | ETag: W/"a"                                   | Range: bytes=0-1 && If-Range: W/"a"                                    | whole
            GET      | 200           | ETag: W/"a"                                   | Range: bytes=0-1 && If-Range: "a"                                      | whole
            GET      | 200           | ETag: "a"                                     | Range: bytes=0-1 && If-Range: W/"a"                                    | whole
            GET      | 200           | ''                                            | Range: bytes=0-1 && If-Range: "a"                                      | whole
            GET      | 200           | Last-Modified: {now-100}                      | Range: bytes=0-1 && If-Range: {now-100}                                | bytes 0-1/10
            GET      | 200           | Last-Modified: {now-100}                      | Range: bytes=0-1 && If-Range: {now-50}                                 | whole
            GET      | 200           | Last-Modified: {now-100}                      | Range: bytes=0-1 && If-Range: {now-200}                                | whole
            GET      | 200           | ETag: "a"                                     | Range: bytes=0-1 && If-Range: {now-100}                                | whole
            GET      | 200           | Last-Modified: {now-100}                      | Range: bytes=0-1 && If-Range: garbage                                  | whole
            GET      | 200           | ETag: "a" && Last-Modified: {now-100}         | Range: bytes=20- && If-Range: "a"                                      | bytes */10
            GET      | 200           | ETag: "a"                                     | If-Range: "a"                                                          | whole
            """)
    void aRangeIsServedOnlyFromAStored200ForGetWhileIfRangeHolds(String method, int storedStatus, String storedHeaders,
                                                                 String requestHeaders, String outcome) {
        RangeRule.Outcome decided = RangeRule.decide(request(method, requestHeaders), Http.stored(storedStatus, storedHeaders, 60), 10);

        assertEquals(outcome, describe(decided));
    }

    private static String describe(RangeRule.Outcome outcome) {
        if (outcome instanceof RangeRule.Part part) {
            return part.contentRange();
        }
        if (outcome instanceof RangeRule.Unsatisfiable unsatisfiable) {
            return unsatisfiable.contentRange();
        }
        return "whole";
    }
}
