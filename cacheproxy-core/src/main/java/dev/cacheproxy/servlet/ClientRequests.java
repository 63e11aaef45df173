package dev.cacheproxy.servlet;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.core.ClientForwarding;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Reads a servlet request as the engine's {@link RequestHead}, with one addition for privacy: a request
 * made by an authenticated principal carries an {@code Authorization} field for the engine even when
 * the container authenticated it some other way (a login form, a session, a client certificate).
 */
final class ClientRequests {

    /** The scheme of the synthetic {@code Authorization} value; never sent anywhere. */
    static final String PRINCIPAL_SCHEME = "CacheproxyPrincipal";

    private ClientRequests() {
    }

    /**
     * The request as the engine sees it, or empty when it cannot be represented faithfully (a target
     * that is not a valid URI, a header value the API refuses); such a request passes through uncached. Forwarding fields a client may
     * not send are left out: the servlet behind the filter does not see them either.
     */
    static Optional<RequestHead> read(HttpServletRequest request, ClientForwarding forwarding) {
        try {
            return Optional.of(new RequestHead(request.getMethod(), targetUri(request),
                    forwarding.inbound(fields(request), request.getRemoteAddr())));
        } catch (IllegalArgumentException | URISyntaxException unrepresentable) {
            return Optional.empty();
        }
    }

    /**
     * RFC 9111 §3.5 protects requests with {@code Authorization}; a principal the container established
     * without that field deserves the same protection, so the policy sees one. The value is a digest of
     * the principal's name: stable for one user (so {@code Vary: Authorization} still matches that
     * user), different between users, and not the name itself.
     */
    static HeaderFields withPrincipalMarker(HeaderFields fields, Principal principal) {
        if (fields.contains("Authorization")) {
            return fields;
        }
        return fields.toBuilder().add("Authorization", PRINCIPAL_SCHEME + " " + digest(principal.getName())).build();
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
        HeaderFields read = fields.build();
        Principal principal = request.getUserPrincipal();
        return principal == null ? read : withPrincipalMarker(read, principal);
    }

    private static String digest(String name) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(String.valueOf(name).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java platform has SHA-256", impossible);
        }
    }
}
