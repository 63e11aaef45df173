package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9110 §7.6.1 hop-by-hop fields and RFC 9111 §3.1: what is never stored nor forwarded. */
final class StoredFieldsRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # header lines                                                                                     | what is left
            Connection: close && Keep-Alive: timeout=5 && Content-Type: text/plain                             | Content-Type: text/plain
            Connection: X-Trace, x-debug && X-Trace: 1 && X-DEBUG: 2 && ETag: "a"                              | ETag: "a"
            Connection: X-Trace && Connection: X-Other && X-Trace: 1 && X-Other: 2 && X-Kept: 3                | X-Kept: 3
            CONNECTION: x-a && X-A: 1 && Age: 1                                                                | Age: 1
            Connection: && X-A: 1                                                                              | X-A: 1
            Connection: ,, X-A ,  && X-A: 1 && X-B: 2                                                          | X-B: 2
            Transfer-Encoding: chunked && TE: trailers && Trailer: X && Upgrade: h2c && Cache-Control: max-age=1 | Cache-Control: max-age=1
            Proxy-Authenticate: Basic && Proxy-Authorization: x && Proxy-Authentication-Info: y && Age: 1      | Age: 1
            Proxy-Connection: keep-alive && Keep-Alive: 5 && Age: 1                                            | Age: 1
            Content-Length: 5 && Set-Cookie: a=b && Authentication-Info: z && Vary: Accept && Set-Cookie: c=d  | Content-Length: 5 && Set-Cookie: a=b && Authentication-Info: z && Vary: Accept && Set-Cookie: c=d
            ''                                                                                                 | ''
            """)
    void hopByHopFieldsAndThoseConnectionNamesAreRemovedAndTheRestKeptInOrder(String headers, String left) {
        assertEquals(fields(left), dev.cacheproxy.api.HopByHopFields.removeFrom(fields(headers)));
        assertEquals(fields(left).toBuilder().removeIf(StoredFieldsRule::isOneClientOnly).build(),
                StoredFieldsRule.toStore(fields(headers)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Set-Cookie: a=b && Vary: Accept && SET-COOKIE: c=d                         | Vary: Accept
            Set-Cookie2: a=b && Content-Length: 5                                      | Set-Cookie2: a=b && Content-Length: 5
            Connection: close && Set-Cookie: a=b && Cache-Control: public, max-age=60  | Cache-Control: public, max-age=60
            """)
    void aSetCookieIsNeverStoredWhateverThePolicyDecided(String headers, String stored) {
        assertEquals(fields(stored), StoredFieldsRule.toStore(fields(headers)));
    }
}
