package dev.cacheproxy.core;

import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import java.util.List;

/**
 * Where RFC 9111 lets a shared cache store what is most likely one user's, this cache does not, unless
 * configured to: a response that sets a cookie; a response to a request with {@code Cookie} that does
 * not say it may be shared ({@code public}, {@code s-maxage}, or {@code Vary: Cookie}); and a response
 * to a request with credentials ({@code Cookie}, {@code Authorization}) whose freshness would only be
 * guessed (§4.2.2 heuristics). It only ever narrows a decision to store.
 */
final class PrivacyRule {

    /** The switches that relax this rule; all off by default. */
    record Options(boolean storeResponsesThatSetCookies, boolean heuristicFreshnessForCredentials,
                   boolean storeResponsesToCookieRequests) {
        static final Options SAFE = new Options(false, false, false);
    }

    private PrivacyRule() {
    }

    /**
     * The decision after privacy is weighed: {@code decided} itself, or a refusal to store.
     *
     * @param decided        what RFC 9111 alone decided for this response
     * @param targetedFields the RFC 9213 targeted cache-control fields this cache obeys
     */
    static Storability narrow(RequestHead request, ResponseHead response, Storability decided, List<String> targetedFields,
                              Options options) {
        if (!(decided instanceof Storability.Store)) {
            return decided;
        }
        ResponseDirectives responseControl = ResponseDirectives.of(response.headers(), targetedFields);
        if (response.headers().contains("Set-Cookie")) {
            if (!options.storeResponsesThatSetCookies()) {
                // nginx and Varnish do the same: a cookie is nearly always one user's, and so is the page that sets it.
                return new Storability.DoNotStore("Set-Cookie: a response that sets a cookie is not stored");
            }
            if (!saysItMayBeShared(responseControl.directives())) {
                return new Storability.DoNotStore("Set-Cookie without public or s-maxage");
            }
        }
        boolean cookie = request.headers().contains("Cookie");
        if (cookie && !options.storeResponsesToCookieRequests() && !saysItMayBeShared(responseControl.directives())
                && !VaryRule.nominatedFields(response.headers()).contains("cookie")) {
            // Varnish does the same (it passes any request with a cookie): a page made for a logged-in
            // user with max-age alone would otherwise be served to everyone who asks next.
            return new Storability.DoNotStore("request has Cookie and the response does not say it may be shared"
                    + " (public, s-maxage or Vary: Cookie)");
        }
        boolean credentials = cookie || request.isAuthenticated();
        if (credentials && !options.heuristicFreshnessForCredentials()
                && !FreshnessRule.hasExplicitFreshness(response.headers(), responseControl)) {
            // A personalised page with only Last-Modified would otherwise be served to everyone for hours,
            // or validated for another user whose request the origin answers 304 by date alone.
            return new Storability.DoNotStore("request has " + (cookie ? "Cookie" : "credentials")
                    + " and the response no explicit freshness: heuristic freshness is not used");
        }
        return decided;
    }

    private static boolean saysItMayBeShared(CacheControl directives) {
        return directives.has("public") || directives.has("s-maxage");
    }
}
