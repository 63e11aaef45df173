package dev.cacheproxy.core;

import dev.cacheproxy.api.RequestHead;
import java.util.Optional;

/**
 * Methods a reverse proxy answers itself, without contacting any backend: {@code CONNECT} (RFC 9110
 * §9.3.6 asks a proxy to open a tunnel, which a reverse proxy to one origin never does), and
 * {@code TRACE} (§9.3.8: it would reflect the request's fields, cookies and credentials included,
 * back through the cache) unless enabled.
 */
final class RefusedMethodRule {

    private RefusedMethodRule() {
    }

    /** The reason to answer this request 501 here, or empty when it may go on. */
    static Optional<String> refusal(RequestHead request, boolean traceAllowed) {
        if (request.isMethod("CONNECT")) {
            return Optional.of("CONNECT is not supported by this proxy");
        }
        if (request.isMethod("TRACE") && !traceAllowed) {
            return Optional.of("TRACE is not enabled on this proxy");
        }
        return Optional.empty();
    }
}
