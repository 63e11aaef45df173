package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.byName;
import static dev.cacheproxy.core.Http.fields;
import static dev.cacheproxy.core.Http.response;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.ResponseHead;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9111 §4.3.4 (which stored response a 304 refers to) and §3.2 (updating its header fields). */
final class NotModifiedRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # 304 header lines                                             | stored header lines                                   | refers to it
            ETag: "a"                                                      | ETag: "a"                                             | true
            ETag: "a"                                                      | ETag: "b"                                             | false
            ETag: "a"                                                      | Last-Modified: {now-100}                              | false
            ETag: W/"a"                                                    | ETag: W/"a"                                           | true
            ETag: "a"                                                      | ETag: "A"                                             | false
            ETag: "a" && Last-Modified: {now-5}                            | ETag: "a" && Last-Modified: {now-100}                 | true
            ETag: "b" && Last-Modified: {now-100}                          | ETag: "a" && Last-Modified: {now-100}                 | false
            Last-Modified: {now-100}                                       | Last-Modified: {now-100}                              | true
            Last-Modified: Sunday, 06-Nov-94 08:49:37 GMT                  | Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT          | true
            Last-Modified: {now-100}                                       | Last-Modified: {now-101}                              | false
            Last-Modified: {now-100}                                       | ETag: "a"                                             | false
            Date: {now} && Cache-Control: max-age=60                       | ''                                                    | true
            ''                                                             | ''                                                    | true
            """)
    void aNotModifiedResponseRefersToTheStoredResponseItsValidatorsMatch(String notModified, String stored, boolean refers) {
        assertEquals(refers, NotModifiedRule.refersTo(response(304, notModified), Http.stored(stored, 60)));
    }

    /*
     * A deliberate reading of §4.3.4: the cache only sends a conditional request carrying one stored
     * response's validators, so a 304 without validators of its own answers about that response. Taking
     * it as matching nothing would turn a client's plain GET into a 304 or a needless full fetch.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # 304 header lines                             | stored header lines
            Date: {now} && Cache-Control: max-age=60       | ETag: "a"
            ''                                             | Last-Modified: {now-100}
            """)
    void aNotModifiedResponseWithoutValidatorsRefersToTheStoredResponseThatWasValidated(String notModified, String stored) {
        assertEquals(true, NotModifiedRule.refersTo(response(304, notModified), Http.stored(stored, 60)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # stored header lines                                                  | 304 header lines                                                             | merged header lines
            # fields replaced by name, others kept
            Cache-Control: max-age=60 && ETag: "a" && X-Old: 1                     | Cache-Control: max-age=120                                                   | Cache-Control: max-age=120 && ETag: "a" && X-Old: 1
            cache-control: max-age=60 && Date: {now-100}                           | Cache-Control: max-age=5 && Date: {now}                                      | Cache-Control: max-age=5 && Date: {now}
            Link: <a> && Link: <b> && ETag: "a"                                    | Link: <c> && Link: <d>                                                       | Link: <c> && Link: <d> && ETag: "a"
            Link: <a> && Link: <b>                                                 | Link: <c>                                                                    | Link: <c>
            ETag: "a"                                                              | X-New: 1 && X-New: 2                                                         | ETag: "a" && X-New: 1 && X-New: 2
            ETag: "a"                                                              | ''                                                                           | ETag: "a"
            # the body's framing and coding stay as stored
            Content-Length: 10 && Content-Encoding: gzip && ETag: "a"              | Content-Length: 0 && Content-Encoding: br && ETag: "a"                       | Content-Length: 10 && Content-Encoding: gzip && ETag: "a"
            Content-Range: bytes 0-9/10 && Content-Length: 10                      | Content-Range: bytes */10                                                    | Content-Range: bytes 0-9/10 && Content-Length: 10
            ETag: "a"                                                              | Content-Length: 0                                                            | ETag: "a"
            ETag: "a"                                                              | Transfer-Encoding: chunked                                                   | ETag: "a"
            # hop-by-hop fields of the 304, and those its Connection names, are dropped
            ETag: "a" && X-Trace: old                                              | Connection: X-Trace && X-Trace: new && Keep-Alive: timeout=5 && Age: 3       | ETag: "a" && X-Trace: old && Age: 3
            ETag: "a"                                                              | Proxy-Authenticate: Basic && Upgrade: h2c && Trailer: X && TE: trailers      | ETag: "a"
            """)
    void aNotModifiedResponseUpdatesTheStoredFieldsItCarries(String stored, String notModified, String merged) {
        ResponseHead result = NotModifiedRule.merge(response(200, stored), response(304, notModified));

        assertEquals(200, result.status());
        assertEquals(byName(fields(merged)), byName(result.headers()));
    }
}
