package dev.cacheproxy.servlet;

import dev.cacheproxy.api.ResponseHead;
import java.util.Locale;

/**
 * Keeps cookies out of the cache. A response that sets a cookie is one user's unless it says it may be
 * shared ({@code public} or {@code s-maxage}); the policy refuses to store the first kind. The second
 * kind may be stored, but its cookies, often a session id the container added on its own, must not be
 * replayed to everyone: the engine gets that head without its {@code Set-Cookie} lines, so they reach
 * this client (they are already on its response) and are never stored.
 */
final class SharedCookies {

    private SharedCookies() {
    }

    /** The head to give the engine: without {@code Set-Cookie} when the response is explicitly shared. */
    static ResponseHead withoutCookiesIfShared(ResponseHead head) {
        if (!head.headers().contains("Set-Cookie") || !isExplicitlyShared(head)) {
            return head;
        }
        return head.withHeaders(head.headers().without("Set-Cookie", "Set-Cookie2"));
    }

    private static boolean isExplicitlyShared(ResponseHead head) {
        for (String value : head.headers().values("Cache-Control")) {
            for (String directive : value.split(",")) {
                String name = directive.strip().toLowerCase(Locale.ROOT);
                int equals = name.indexOf('=');
                name = equals < 0 ? name : name.substring(0, equals).strip();
                if (name.equals("public") || name.equals("s-maxage")) {
                    return true;
                }
            }
        }
        return false;
    }
}
