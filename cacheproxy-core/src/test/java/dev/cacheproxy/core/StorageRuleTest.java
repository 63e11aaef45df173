package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.NOW;
import static dev.cacheproxy.core.Http.request;
import static dev.cacheproxy.core.Http.response;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.Storability;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9111 §3 (storing responses), §3.5 (Authorization), §5.2.2 (response directives) and RFC 9213
 * (targeted fields), for the default shared-cache policy, whose target list is {@code [CDN-Cache-Control]}. The last
 * column is the stored freshness lifetime in seconds, or {@code no} when the response is not stored.
 */
final class StorageRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # method | request header lines            | status | response header lines                                                   | stored for
            # only GET
            GET      | ''                              | 200    | Cache-Control: max-age=60                                               | 60
            HEAD     | ''                              | 200    | Cache-Control: max-age=60                                               | no
            POST     | ''                              | 200    | Cache-Control: max-age=60                                               | no
            PUT      | ''                              | 200    | Cache-Control: max-age=60                                               | no
            get      | ''                              | 200    | Cache-Control: max-age=60                                               | no
            # never interim, partial or not-modified responses
            GET      | ''                              | 100    | Cache-Control: max-age=60                                               | no
            GET      | ''                              | 103    | Cache-Control: max-age=60                                               | no
            GET      | ''                              | 206    | Cache-Control: max-age=60 && Content-Range: bytes 0-1/10                | no
            GET      | ''                              | 304    | Cache-Control: max-age=60                                               | no
            # status codes: explicit freshness or public for any, heuristics only for the heuristically cacheable
            GET      | ''                              | 599    | Cache-Control: max-age=60                                               | 60
            GET      | ''                              | 599    | Expires: {now+60} && Date: {now}                                        | 60
            GET      | ''                              | 599    | ''                                                                      | no
            GET      | ''                              | 599    | Last-Modified: {now-1000} && Date: {now}                                | no
            GET      | ''                              | 599    | Cache-Control: public                                                   | no
            GET      | ''                              | 599    | Cache-Control: public && ETag: "v"                                      | 0
            GET      | ''                              | 302    | ''                                                                      | no
            GET      | ''                              | 302    | Cache-Control: max-age=60                                               | 60
            GET      | ''                              | 500    | Last-Modified: {now-1000} && Date: {now}                                | no
            GET      | ''                              | 500    | Cache-Control: max-age=abc                                              | 0
            # never fresh and no validator: could only ever be served stale, so not kept
            GET      | ''                              | 200    | ''                                                                      | no
            GET      | ''                              | 200    | ETag: "v"                                                               | 0
            GET      | ''                              | 200    | Last-Modified: {now-1000} && Date: {now}                                | 100
            GET      | ''                              | 404    | Last-Modified: {now-1000} && Date: {now}                                | 100
            GET      | ''                              | 410    | ''                                                                      | no
            GET      | ''                              | 200    | Expires: garbage                                                        | 0
            # no-store, from the request or the response
            GET      | Cache-Control: no-store         | 200    | Cache-Control: max-age=60                                               | no
            GET      | Cache-Control: NO-STORE         | 200    | Cache-Control: max-age=60                                               | no
            GET      | Pragma: no-cache                | 200    | Cache-Control: max-age=60                                               | 60
            GET      | ''                              | 200    | Cache-Control: no-store, max-age=60                                     | no
            GET      | ''                              | 200    | Cache-Control: max-age=60 && Cache-Control: No-Store                    | no
            GET      | ''                              | 200    | Cache-Control: public, no-store                                         | no
            # must-understand: overrides no-store for understood status codes, forbids storing the others
            GET      | ''                              | 200    | Cache-Control: must-understand, no-store, max-age=60                    | 60
            GET      | ''                              | 404    | Cache-Control: must-understand, no-store, max-age=60                    | 60
            GET      | ''                              | 200    | Cache-Control: must-understand, max-age=60                              | 60
            GET      | ''                              | 599    | Cache-Control: must-understand, no-store, max-age=60                    | no
            GET      | ''                              | 599    | Cache-Control: must-understand, max-age=60                              | no
            GET      | ''                              | 299    | Cache-Control: must-understand, max-age=60                              | no
            GET      | Cache-Control: no-store         | 200    | Cache-Control: must-understand, max-age=60                              | no
            GET      | ''                              | 200    | Cache-Control: must-understand, private, max-age=60                     | no
            # private, also qualified
            GET      | ''                              | 200    | Cache-Control: private, max-age=60                                      | no
            GET      | ''                              | 200    | Cache-Control: private="Set-Cookie", max-age=60                         | no
            GET      | ''                              | 200    | Cache-Control: public, private, max-age=60                              | no
            GET      | ''                              | 200    | Cache-Control: PRIVATE, s-maxage=60                                     | no
            # Authorization (§3.5): only with public, s-maxage or must-revalidate
            GET      | Authorization: Bearer x         | 200    | Cache-Control: max-age=60                                               | no
            GET      | Authorization: Bearer x         | 200    | ''                                                                      | no
            GET      | Authorization: Bearer x         | 200    | Cache-Control: public, max-age=60                                       | 60
            GET      | Authorization: Bearer x         | 200    | Cache-Control: s-maxage=60                                              | 60
            GET      | Authorization: Bearer x         | 200    | Cache-Control: must-revalidate, max-age=60                              | 60
            GET      | Authorization: Bearer x         | 200    | Cache-Control: proxy-revalidate, max-age=60                             | no
            GET      | authorization: Basic eA==       | 200    | Cache-Control: max-age=60                                               | no
            # Set-Cookie: never stored by default (deliberately stricter than §3; see PrivacyRuleTest for the switch)
            GET      | ''                              | 200    | Set-Cookie: id=1 && Cache-Control: max-age=60                           | no
            GET      | ''                              | 200    | Set-Cookie: id=1 && Cache-Control: public, max-age=60                   | no
            GET      | ''                              | 200    | Set-Cookie: id=1 && Cache-Control: s-maxage=60                          | no
            GET      | ''                              | 200    | set-cookie: id=1 && Cache-Control: public, max-age=60                   | no
            # a request with Cookie: only a response that says it may be shared, and never on heuristics
            GET      | Cookie: user=a                  | 200    | Cache-Control: max-age=60                                               | no
            GET      | Cookie: user=a                  | 200    | Cache-Control: public, max-age=60                                       | 60
            GET      | Cookie: user=a                  | 200    | Expires: {now+60} && Date: {now} && Vary: Cookie                        | 60
            GET      | Cookie: user=a                  | 200    | Expires: {now+60} && Date: {now}                                        | no
            GET      | Cookie: user=a                  | 200    | Last-Modified: {now-1000} && Date: {now}                                | no
            GET      | Cookie: user=a                  | 200    | Cache-Control: public && Last-Modified: {now-1000} && Date: {now}       | no
            GET      | Cookie: user=a                  | 200    | Cache-Control: no-cache && ETag: "v"                                    | no
            GET      | Authorization: Bearer x         | 200    | Cache-Control: public && Last-Modified: {now-1000} && Date: {now}       | no
            # Vary: * never matches
            GET      | ''                              | 200    | Vary: * && Cache-Control: max-age=60                                    | no
            GET      | ''                              | 200    | Vary: Accept, * && Cache-Control: max-age=60                            | no
            GET      | ''                              | 200    | Vary: Accept && Vary: * && Cache-Control: max-age=60                    | no
            GET      | ''                              | 200    | Vary: Accept-Encoding && Cache-Control: max-age=60                      | 60
            # no-cache: stored with its lifetime as computed; reuse validates it each time
            GET      | ''                              | 200    | Cache-Control: no-cache, max-age=60                                     | 60
            GET      | ''                              | 200    | Cache-Control: no-cache                                                 | no
            GET      | ''                              | 200    | Cache-Control: no-cache && ETag: "v"                                    | 0
            GET      | ''                              | 200    | Cache-Control: no-cache && Last-Modified: {now-1000} && Date: {now}     | 100
            GET      | Cache-Control: no-cache         | 200    | Cache-Control: max-age=60                                               | 60
            # CDN-Cache-Control replaces Cache-Control and Expires when valid
            GET      | ''                              | 200    | CDN-Cache-Control: max-age=600 && Cache-Control: no-store               | 600
            GET      | ''                              | 200    | CDN-Cache-Control: max-age=600 && Cache-Control: private                | 600
            GET      | ''                              | 200    | CDN-Cache-Control: no-store && Cache-Control: max-age=60                | no
            GET      | ''                              | 200    | CDN-Cache-Control: private && Cache-Control: public, max-age=60         | no
            GET      | ''                              | 200    | CDN-Cache-Control: public && Expires: {now+60} && Date: {now}           | no
            GET      | ''                              | 200    | CDN-Cache-Control: public && Expires: {now+60} && ETag: "v"             | 0
            GET      | ''                              | 599    | CDN-Cache-Control: public && Cache-Control: max-age=60                  | no
            GET      | ''                              | 599    | CDN-Cache-Control: no-cache && Expires: {now+60} && Date: {now}         | no
            GET      | Authorization: Bearer x         | 200    | CDN-Cache-Control: max-age=600 && Cache-Control: public                 | no
            GET      | Authorization: Bearer x         | 200    | CDN-Cache-Control: max-age=600, public && Cache-Control: max-age=60     | 600
            # an invalid CDN-Cache-Control is ignored and Cache-Control applies
            GET      | ''                              | 200    | CDN-Cache-Control: MaX-aGe=1 && Cache-Control: no-store                 | no
            GET      | ''                              | 200    | CDN-Cache-Control: MaX-aGe=1 && Cache-Control: max-age=60               | 60
            GET      | ''                              | 200    | CDN-Cache-Control: max-age=600, && Cache-Control: max-age=60            | 60
            GET      | ''                              | 200    | CDN-Cache-Control: max-age=1.5.0 && Cache-Control: private              | no
            """)
    void aResponseIsStoredOnlyWhenEveryRuleAllowsIt(String method, String requestHeaders, int status,
                                                    String responseHeaders, String storedFor) {
        assertEquals(storedFor, outcome(method, requestHeaders, status, responseHeaders));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            CDN-Cache-Control: && Cache-Control: no-store, max-age=60          | no
            CDN-Cache-Control: && Cache-Control: private, max-age=60           | no
            CDN-Cache-Control: && Cache-Control: max-age=60                    | 60
            """)
    void anEmptyTargetedFieldLeavesCacheControlInForce(String responseHeaders, String storedFor) {
        assertEquals(storedFor, outcome("GET", "", 200, responseHeaders));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            CDN-Cache-Control: no-store;reason=gdpr && Cache-Control: max-age=60       | no
            CDN-Cache-Control: private;x, max-age=60                                   | no
            CDN-Cache-Control: max-age=600;x=1                                         | 600
            """)
    void parametersOnTargetedDirectivesDoNotHideThem(String responseHeaders, String storedFor) {
        assertEquals(storedFor, outcome("GET", "", 200, responseHeaders));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            CDN-Cache-Control: max-age="10000" && Cache-Control: max-age=60            | 60
            CDN-Cache-Control: max-age="10000" && Cache-Control: no-store              | no
            CDN-Cache-Control: max-age=1.5 && Cache-Control: private, max-age=60       | no
            """)
    void aTargetedFieldWithAStringMaxAgeIsIgnoredAndCacheControlApplies(String responseHeaders, String storedFor) {
        assertEquals(storedFor, outcome("GET", "", 200, responseHeaders));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Cache-Control: max-age=60                               | no
            ''                                                      | no
            Cache-Control: public, max-age=60                       | 60
            Cache-Control: s-maxage=60                              | 60
            Cache-Control: must-revalidate, max-age=60              | 60
            """)
    void aUserTheServerAuthenticatedIsAsPrivateAsAnAuthorizationField(String responseHeaders, String storedFor) {
        Storability decision = StorageRule.decide(request("GET", "").withAuthenticatedUser("alice"),
                response(200, responseHeaders), Http.CDN, NOW);
        assertEquals(storedFor, decision instanceof Storability.Store store ? String.valueOf(store.freshnessLifetime().toSeconds()) : "no");
    }

    private static String outcome(String method, String requestHeaders, int status, String responseHeaders) {
        // Through the default policy: RFC 9111's rule narrowed by the privacy rule, as a user gets it.
        Storability decision = Rfc9111Policy.sharedCache().storability(request(method, requestHeaders), response(status, responseHeaders), NOW);
        return decision instanceof Storability.Store store ? String.valueOf(store.freshnessLifetime().toSeconds()) : "no";
    }
}
