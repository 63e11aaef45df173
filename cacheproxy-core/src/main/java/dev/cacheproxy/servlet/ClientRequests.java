package dev.cacheproxy.servlet;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.core.ClientForwarding;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.Principal;
import java.util.Enumeration;
import java.util.Optional;

/**
 * Reads a servlet request as the engine's {@link RequestHead}, with the user the container
 * authenticated (by a login form, a session, a client certificate or {@code Authorization}) as the
 * request's {@linkplain RequestHead#authenticatedUser() authenticated user}, which keeps the response
 * as private as RFC 9111 §3.5 keeps one to a request with {@code Authorization}.
 */
final class ClientRequests {

    private ClientRequests() {
    }

    /**
     * The request as the engine sees it, or empty when it cannot be represented faithfully (a target
     * that is not a valid URI, a header value the API refuses); such a request passes through uncached. Forwarding fields a client may
     * not send are left out: the servlet behind the filter does not see them either.
     */
    static Optional<RequestHead> read(HttpServletRequest request, ClientForwarding forwarding) {
        try {
            RequestHead head = new RequestHead(request.getMethod(), targetUri(request),
                    forwarding.inbound(fields(request), request.getRemoteAddr()));
            Principal principal = request.getUserPrincipal();
            return Optional.of(principal == null ? head : head.withAuthenticatedUser(String.valueOf(principal.getName())));
        } catch (IllegalArgumentException | URISyntaxException unrepresentable) {
            return Optional.empty();
        }
    }

    private static URI targetUri(HttpServletRequest request) throws URISyntaxException {
        // getRequestURL is built from the Host the client sent: keys stay apart per virtual host.
        StringBuffer url = request.getRequestURL();
        String query = request.getQueryString();
        if (query != null) {
            url.append('?').append(query);
        }
        return new URI(url.toString());
    }

    private static HeaderFields fields(HttpServletRequest request) {
        HeaderFields.Builder fields = HeaderFields.builder();
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                fields.add(name, values.nextElement());
            }
        }
        return fields.build();
    }
}
