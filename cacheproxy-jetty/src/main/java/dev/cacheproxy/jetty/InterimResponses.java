package dev.cacheproxy.jetty;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.client.EarlyHintsProtocolHandler;
import org.eclipse.jetty.client.ProcessingProtocolHandler;
import org.eclipse.jetty.client.ProtocolHandlers;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes the origin's interim responses (102 Processing, 103 Early Hints; RFC 9110 §15.2) on to the
 * client. Jetty's proxy servlet keeps only the 100-continue handler, so without these an interim
 * response would be taken for the final one and the real one left on the connection for the next
 * request: one client would get another's response. Interim responses are never stored.
 */
final class InterimResponses {

    private static final Logger LOG = LoggerFactory.getLogger(InterimResponses.class);

    /** Where Jetty's proxy servlet keeps the client's request on the origin request. */
    private static final String CLIENT_REQUEST_ATTRIBUTE = "org.eclipse.jetty.proxy.clientRequest";

    private InterimResponses() {
    }

    /** Adds the handlers that consume 102 and 103 and relay them to the client. */
    static void install(ProtocolHandlers handlers) {
        handlers.put(new ProcessingProtocolHandler() {
            @Override
            protected void onProcessing(Request originRequest, HttpFields fields) {
                relay(originRequest, HttpStatus.PROCESSING_102, fields);
            }
        });
        handlers.put(new EarlyHintsProtocolHandler() {
            @Override
            protected void onEarlyHints(Request originRequest, HttpFields fields) {
                relay(originRequest, HttpStatus.EARLY_HINTS_103, fields);
            }
        });
    }

    private static void relay(Request originRequest, int status, HttpFields fields) {
        Object clientRequest = originRequest.getAttributes().get(CLIENT_REQUEST_ATTRIBUTE);
        if (!(clientRequest instanceof HttpServletRequest servletRequest)) {
            return;
        }
        try {
            ServletContextRequest.getServletContextRequest(servletRequest).getServletContextResponse()
                    .writeInterim(status, fields == null ? HttpFields.EMPTY : fields.asImmutable());
        } catch (RuntimeException | LinkageError cannotRelay) {
            // An interim response is advisory: dropping it leaves the exchange intact. Outside Jetty
            // (the servlet in Tomcat) there is no Jetty request to relay through.
            LOG.debug("interim {} not relayed to the client", status, cannotRelay);
        }
    }
}
