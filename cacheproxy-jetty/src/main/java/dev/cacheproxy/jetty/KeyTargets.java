package dev.cacheproxy.jetty;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.core.BoundedMemo;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * A routed request as the cache sees it: the pool's key origin with the path and query the client asked
 * for, and the route's {@linkplain Route#pathRewrite() path rewrite}, which the engine adds to the cache
 * key. Together they name exactly one backend resource, whichever backend answers. The request's own
 * {@code Host} only chooses the route, unless the backend gets it too ({@code preserveHost}): then it
 * may decide the backend's answer, so the key carries it in place of the key origin's authority, and the
 * backend's {@code Host} is set from that same {@link #clientAuthority} last, whatever the client sent
 * or a hook changed. The one place the servlet, {@link CachingHandler}, the admin purge and
 * {@link CachingProxyServlet#purge} turn a route match into what the engine keys on.
 */
final class KeyTargets {

    /** Popular URLs are requested again and again: parse each target once while it stays popular. */
    private static final int RECENT_TARGETS = 16_384;

    private final BoundedMemo<String, URI> parsed = new BoundedMemo<>(RECENT_TARGETS, KeyTargets::parse);
    private final boolean keyedOnClientHost;

    /** @param keyedOnClientHost whether the backend gets the client's {@code Host}, which then joins the key */
    KeyTargets(boolean keyedOnClientHost) {
        this.keyedOnClientHost = keyedOnClientHost;
    }

    /** {@return whether the backend gets the client's host, which then joins the key} */
    boolean keyedOnClientHost() {
        return keyedOnClientHost;
    }

    /**
     * The request the engine gets for this route match.
     *
     * @param scheme the client's scheme
     * @param host   the host the client asked for
     * @param port   its port; 0 or less when none was given
     * @throws IllegalArgumentException if the path and query do not make a valid URI
     */
    RequestHead request(Routes.Match match, String method, HeaderFields fields, String scheme, String host, int port) {
        return new RequestHead(method, keyUri(match, scheme, host, port), fields, Optional.empty(), match.rewrite());
    }

    /**
     * The target URI the engine sees for this route match: the pool's key origin (or, keyed on the
     * client's host, the key origin's scheme and that host) and the client's path.
     *
     * @throws IllegalArgumentException if it does not make a valid URI
     */
    URI keyUri(Routes.Match match, String scheme, String host, int port) {
        // The client's authority is worked out only when it is part of the key (preserveHost): not on every hit.
        String base = keyedOnClientHost ? match.pool().keyOrigin().getScheme() + "://" + clientAuthority(scheme, host, port)
                : match.pool().keyBase();
        return parsed.apply(base + match.clientPathQuery());
    }

    /**
     * The authority a client asked for, in one form whether it came from a request ({@code Host},
     * {@code :authority} or an absolute target, as Jetty reads them) or from a URL given to a purge: the
     * host in lower case, its port left out when it is the default of the client's scheme, so that
     * {@code https://shop.example/x} names what a request for it on port 443 stored. With
     * {@code preserveHost} it is both the key's authority and the backend's {@code Host}.
     *
     * @param scheme the client's scheme, {@code http} or {@code https}
     * @param host   the host the client asked for
     * @param port   its port; 0 or less when none was given
     */
    static String clientAuthority(String scheme, String host, int port) {
        boolean secure = "https".equalsIgnoreCase(scheme);
        int shown = port <= 0 || port == (secure ? 443 : 80) ? -1 : port;
        return authority(host.toLowerCase(Locale.ROOT), shown);
    }

    /** {@code host:port}, an IPv6 address in brackets, as a URI's authority. */
    static String authority(String host, int port) {
        String bracketed = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return port > 0 ? bracketed + ":" + port : bracketed;
    }

    private static URI parse(String target) {
        try {
            return new URI(target);
        } catch (URISyntaxException malformed) {
            throw new IllegalArgumentException("the request target is not a valid URI: " + malformed.getMessage(), malformed);
        }
    }
}
