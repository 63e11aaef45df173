package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.NOW;
import static dev.cacheproxy.core.Http.request;
import static dev.cacheproxy.core.Http.response;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.Storability;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The privacy rule and its two switches: what each relaxes, and what stays refused. The last columns are
 * the stored freshness lifetime in seconds, or {@code no}, by default and with the switch on.
 */
final class PrivacyRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # response header lines                                        | default | storeResponsesThatSetCookies
            Set-Cookie: id=1 && Cache-Control: public, max-age=60          | no      | 60
            Set-Cookie: id=1 && Cache-Control: s-maxage=60                 | no      | 60
            Set-Cookie: id=1 && Cache-Control: max-age=60                  | no      | no
            Set-Cookie2: id=1 && Cache-Control: public, max-age=60         | 60      | 60
            Set-Cookie: id=1 && Cache-Control: public, private, max-age=60 | no      | no
            Cache-Control: max-age=60                                      | 60      | 60
            """)
    void aResponseThatSetsACookieIsStoredOnlyWithTheSwitchAndOnlyWhenShared(String responseHeaders, String byDefault,
                                                                           String withSwitch) {
        Rfc9111Policy relaxed = Rfc9111Policy.builder().storeResponsesThatSetCookies(true).build();
        assertEquals(byDefault, outcome(Rfc9111Policy.sharedCache(), "", responseHeaders));
        assertEquals(withSwitch, outcome(relaxed, "", responseHeaders));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # request header lines  | response header lines                                          | default | heuristicFreshnessForCredentials
            Cookie: u=a             | Vary: Cookie && Last-Modified: {now-1000} && Date: {now}          | no      | 100
            Cookie: u=a             | Cache-Control: public && Last-Modified: {now-1000} && Date: {now} | no    | 100
            Authorization: Bearer x | Cache-Control: public && Last-Modified: {now-1000} && Date: {now} | no    | 100
            Authorization: Bearer x | Last-Modified: {now-1000} && Date: {now}                        | no      | no
            Cookie: u=a             | Cache-Control: public, max-age=60                               | 60      | 60
            ''                      | Last-Modified: {now-1000} && Date: {now}                        | 100     | 100
            """)
    void aResponseToARequestWithCredentialsGetsHeuristicFreshnessOnlyWithTheSwitch(String requestHeaders, String responseHeaders,
                                                                                   String byDefault, String withSwitch) {
        Rfc9111Policy relaxed = Rfc9111Policy.builder().heuristicFreshnessForCredentials(true).build();
        assertEquals(byDefault, outcome(Rfc9111Policy.sharedCache(), requestHeaders, responseHeaders));
        assertEquals(withSwitch, outcome(relaxed, requestHeaders, responseHeaders));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # request header lines  | response header lines                                           | default | storeResponsesToCookieRequests
            Cookie: session=a       | Cache-Control: max-age=60                                       | no      | 60
            Cookie: session=a       | Cache-Control: max-age=60 && Vary: Accept-Encoding              | no      | 60
            Cookie: session=a       | Cache-Control: public, max-age=60                               | 60      | 60
            Cookie: session=a       | Cache-Control: s-maxage=60                                      | 60      | 60
            Cookie: session=a       | Cache-Control: max-age=60 && Vary: Accept-Encoding, COOKIE      | 60      | 60
            Cookie: session=a       | CDN-Cache-Control: public, max-age=60 && Cache-Control: max-age=5 | 60    | 60
            Cookie: session=a       | CDN-Cache-Control: max-age=60 && Cache-Control: public, max-age=5 | no    | 60
            Cookie: session=a       | Cache-Control: private, max-age=60                              | no      | no
            ''                      | Cache-Control: max-age=60                                       | 60      | 60
            """)
    void aResponseToARequestWithACookieIsStoredOnlyWhenItSaysItMayBeSharedUnlessSwitchedOff(String requestHeaders,
                                                                                         String responseHeaders,
                                                                                         String byDefault, String withSwitch) {
        Rfc9111Policy relaxed = Rfc9111Policy.builder().storeResponsesToCookieRequests(true).build();
        assertEquals(byDefault, outcome(Rfc9111Policy.sharedCache(), requestHeaders, responseHeaders));
        assertEquals(withSwitch, outcome(relaxed, requestHeaders, responseHeaders));
    }

    private static String outcome(Rfc9111Policy policy, String requestHeaders, String responseHeaders) {
        Storability decision = policy.storability(request("GET", requestHeaders), response(200, responseHeaders), NOW);
        return decision instanceof Storability.Store store ? String.valueOf(store.freshnessLifetime().toSeconds()) : "no";
    }
}
