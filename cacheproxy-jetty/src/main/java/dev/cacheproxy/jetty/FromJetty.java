package dev.cacheproxy.jetty;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.ResponseHead;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;

/** Jetty's values in the engine's terms: header fields, the origin's response head, an origin failure. */
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
     * The origin's head, or empty after aborting a response that is not one the proxy may pass on: a
     * status outside 100 to 599, or faulty framing (RFC 9112 §6.1: neither stored nor relayed, and the
     * abort closes the connection).
     */
    static Optional<ResponseHead> headOrAbort(Response originResponse) {
        Optional<ResponseHead> head = responseHead(originResponse);
        Optional<String> broken = head.isEmpty()
                ? Optional.of("the origin sent an invalid status code " + originResponse.getStatus())
                : faultyFraming(originResponse);
        if (broken.isPresent()) {
            originResponse.abort(new BrokenOriginResponse(broken.get()));
            return Optional.empty();
        }
        return head;
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

    /**
     * The origin failure this exception of Jetty's client stands for: a timeout, a response that was not
     * valid HTTP (or one this adapter refused, {@link BrokenOriginResponse}), else an origin that could
     * not be reached or dropped the connection.
     */
    static OriginFailure originFailure(Throwable failure) {
        String problem = problem(failure);
        if (failure instanceof TimeoutException) {
            return new OriginFailure.TimedOut(problem);
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof HttpResponseException || cause instanceof HttpException
                    || cause instanceof BrokenOriginResponse) {
                return new OriginFailure.BrokenResponse(problem);
            }
        }
        return new OriginFailure.Unreachable(problem);
    }

    /** Why this adapter aborted an origin response: it was not one the engine can take (an invalid status code). */
    static final class BrokenOriginResponse extends IOException {
        private static final long serialVersionUID = 1L;

        BrokenOriginResponse(String message) {
            super(message);
        }
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
