package dev.cacheproxy.jetty;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.ResponseHead;
import java.util.Optional;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;

/** Jetty's values in the engine's terms: header fields, the origin's response head, a failure in one line. */
final class FromJetty {

    private FromJetty() {
    }

    /** The fields, every line in order. */
    static HeaderFields fields(HttpFields jettyFields) {
        HeaderFields.Builder fields = HeaderFields.builder();
        for (HttpField field : jettyFields) {
            fields.add(field.getName(), field.getValue() == null ? "" : field.getValue());
        }
        return fields.build();
    }

    /**
     * The origin's response head; empty when its status code is none (RFC 9110 §15: three digits from
     * 100 to 599), which makes the origin a broken one.
     */
    static Optional<ResponseHead> responseHead(Response originResponse) {
        int status = originResponse.getStatus();
        return status < 100 || status > 599
                ? Optional.empty()
                : Optional.of(new ResponseHead(status, fields(originResponse.getHeaders())));
    }

    /**
     * RFC 9112 §6.1: an HTTP/1.0 response with {@code Transfer-Encoding} has faulty framing, whatever its
     * body looks like; the reason to treat it so, or empty when the framing is sound.
     */
    static Optional<String> faultyFraming(Response originResponse) {
        if (originResponse.getVersion() == HttpVersion.HTTP_1_0 && originResponse.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            return Optional.of("faulty framing: an HTTP/1.0 response with Transfer-Encoding");
        }
        return Optional.empty();
    }

    /** The failure's root cause, as its type and the first line of its message. */
    static String problem(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
