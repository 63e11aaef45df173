package dev.cacheproxy.servlet;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.ResponseHead;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One servlet response on its way through the filter. Until the response commits (its buffer fills,
 * the servlet flushes, or the response ends) the head may still change, so the engine cannot decide
 * yet: the body goes into the container's own buffer as it would without the filter, and a copy is
 * kept. Just before the container would commit, the head is final: the engine decides, its fields
 * (Cache-Status) are added, the copy goes into its capture, and from then on the body streams to the
 * client and the capture together.
 *
 * <p>Writing through at once, rather than holding the body back, keeps the response right when the
 * container ends it behind the filter's back (Tomcat finishes a response inside
 * {@code RequestDispatcher.forward}): the filter then finds it committed and only stores nothing.
 *
 * <p>States: undecided, relaying (through the capture), passing (never stored), discarding (the
 * engine answered instead, e.g. a stored response after a 304), and finished. Methods are synchronized:
 * an async servlet writes on a thread of its own while the container may call the listener on another.
 */
final class ResponseRelay {

    private static final Logger LOG = LoggerFactory.getLogger(ResponseRelay.class);

    private enum State { HOLDING, RELAYING, PASSING, DISCARDING, FINISHED }

    private final ProxyEngine engine;
    private final ExchangePlan.ToOrigin toOrigin;
    private final HttpServletRequest clientRequest;
    private final HttpServletResponse clientResponse;
    /** A copy of the body in the container's buffer, for the capture once the engine has decided. */
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();

    private State state = State.HOLDING;
    private int bufferSize;
    private BodyCapture capture = BodyCapture.NONE;
    private Optional<String> notStorable = Optional.empty();
    private Optional<Long> declaredLength = Optional.empty();

    ResponseRelay(ProxyEngine engine, ExchangePlan.ToOrigin toOrigin, HttpServletRequest clientRequest,
                  HttpServletResponse clientResponse) {
        this.engine = engine;
        this.toOrigin = toOrigin;
        this.clientRequest = clientRequest;
        this.clientResponse = clientResponse;
        this.bufferSize = clientResponse.getBufferSize();
    }

    /** Body bytes from the servlet. */
    synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        if (state == State.HOLDING) {
            long written = (long) held.size() + length;
            boolean containerWillCommit = written >= bufferSize
                    || declaredLength.map(declared -> written >= declared).orElse(false);
            if (!containerWillCommit) {
                clientStream().write(bytes, offset, length);
                held.write(bytes, offset, length);
                return;
            }
            commit();
        }
        writeOn(bytes, offset, length);
    }

    /** The servlet flushed: the response commits, as it would without the filter. */
    synchronized void flush() throws IOException {
        commit();
        if (state != State.DISCARDING && state != State.FINISHED) {
            clientResponse.flushBuffer();
        }
    }

    /** The servlet closed its stream: the body has ended and the response completes now. */
    synchronized void close() throws IOException {
        State before = state;
        finish();
        if (before != State.FINISHED) {
            clientStream().close();
        }
    }

    /** The body ended normally: decide if not yet done, and store the body if it was captured. Never throws. */
    synchronized void finish() {
        if (state == State.FINISHED) {
            return;
        }
        try {
            commit();
            if (state == State.RELAYING) {
                capture.complete();
            }
        } catch (IOException clientGone) {
            LOG.debug("client went away before the response for {} was sent", toOrigin.clientRequest().uri(), clientGone);
            abandonCapture("client went away: " + clientGone.getMessage());
        } finally {
            state = State.FINISHED;
        }
    }

    /** Called when the response completed without {@link #finish()}: the end was not seen, store nothing. */
    synchronized void finishedElsewhere(String how) {
        if (state != State.FINISHED) {
            dontStore(how);
            finish();
        }
    }

    /** Whatever else happens, this body is not stored. */
    synchronized void dontStore(String reason) {
        if (notStorable.isEmpty()) {
            notStorable = Optional.of(reason);
        }
        if (state == State.RELAYING) {
            abandonCapture(reason);
            state = State.PASSING;
        }
    }

    /** The filter cannot see the rest of this response faithfully: decide now and never store. */
    synchronized void passThrough(String reason) throws IOException {
        dontStore(reason);
        commit();
    }

    /**
     * The servlet failed. Before anything was decided the engine may answer instead (a stored response);
     * returns whether it did, in which case the failure is handled. Otherwise nothing is stored and the
     * failure should go on to the container, which shows its error page as it would without the filter.
     */
    synchronized boolean answerFailure(Throwable failure) {
        String problem = describe(failure);
        if (state == State.DISCARDING || state == State.FINISHED) {
            return state == State.DISCARDING;
        }
        if (state != State.HOLDING || clientResponse.isCommitted()) {
            dontStore("the servlet failed: " + problem);
            return false;
        }
        held.reset();
        dontStore("the servlet failed: " + problem);
        state = State.PASSING;
        ExchangePlan.OnOriginFailure plan;
        try {
            plan = engine.onOriginFailure(toOrigin, new OriginFailure.BrokenResponse(problem));
        } catch (RuntimeException engineFault) {
            LOG.warn("the cache engine failed on a servlet failure for {}", toOrigin.clientRequest().uri(), engineFault);
            return false;
        }
        if (!(plan instanceof ExchangePlan.Answer answer)) {
            return false;
        }
        try {
            clientResponse.reset();
            AnswerWriter.writeAnswer(clientResponse, answer, isHeadRequest());
        } catch (IOException clientGone) {
            LOG.debug("client went away while a stored response stood in for a failure", clientGone);
        }
        state = State.FINISHED;
        return true;
    }

    /** {@code sendError}: the engine still sees the status (for {@code Cache-Status}), nothing is stored. */
    synchronized void sendingError(int status) {
        held.reset();
        dontStore("sendError(" + status + ")");
        decideUnlessCommitted(status, Optional.empty());
        state = State.PASSING;
    }

    /** {@code sendRedirect}: the engine sees the redirect (an unsafe request's 3xx invalidates), nothing is stored. */
    synchronized void redirecting(String location) {
        held.reset();
        dontStore("sendRedirect");
        decideUnlessCommitted(302, Optional.of(location));
        state = State.PASSING;
    }

    /** {@code reset()}: before the head is decided, forget the body so far; later, the container decides. */
    synchronized void reset() {
        clientResponse.reset();
        held.reset();
        declaredLength = Optional.empty();
        if (state != State.HOLDING) {
            dontStore("the response was reset after its head was sent");
            state = State.PASSING;
        }
    }

    /** {@code resetBuffer()}: as {@link #reset()}, for the body only. */
    synchronized void resetBuffer() {
        clientResponse.resetBuffer();
        held.reset();
        if (state != State.HOLDING) {
            dontStore("the buffer was reset after the head was sent");
            state = State.PASSING;
        }
    }

    synchronized boolean isCommitted() {
        return state != State.HOLDING || clientResponse.isCommitted();
    }

    synchronized void setBufferSize(int size) {
        if (state != State.HOLDING || held.size() > 0) {
            throw new IllegalStateException("the buffer size cannot change once content has been written");
        }
        clientResponse.setBufferSize(size);
        bufferSize = clientResponse.getBufferSize();
    }

    synchronized int bufferSize() {
        return bufferSize;
    }

    synchronized void declareLength(Optional<Long> length) {
        declaredLength = length;
    }

    /** Whether writes would not block. */
    synchronized boolean isReady() throws IOException {
        return state == State.DISCARDING || clientStream().isReady();
    }

    /** The container's own stream, for what the filter hands on unchanged. */
    ServletOutputStream clientStream() throws IOException {
        return clientResponse.getOutputStream();
    }

    /** The response head is final now: let the engine decide; the body written so far is already on its way. */
    private void commit() throws IOException {
        if (state != State.HOLDING) {
            return;
        }
        if (clientResponse.isCommitted()) {
            // Something committed the response around the filter (Tomcat's forward, an unwrapped
            // reference, a newer servlet API method): the head sent is not the one read here.
            dontStore("the response was committed around the filter");
            state = State.PASSING;
            held.reset();
            return;
        }
        decide(clientResponse.getStatus(), Optional.empty());
        if (state == State.RELAYING && held.size() > 0) {
            capture.append(ByteBuffer.wrap(held.toByteArray()));
        }
        held.reset();
    }

    private void decideUnlessCommitted(int status, Optional<String> location) {
        if (state == State.HOLDING && !clientResponse.isCommitted()) {
            try {
                decide(status, location);
            } catch (IOException notWritten) {
                LOG.debug("the engine's answer could not be written", notWritten);
            }
        }
    }

    private void decide(int status, Optional<String> location) throws IOException {
        state = State.PASSING;
        ResponseHead head;
        try {
            head = ResponseHeads.read(clientResponse, status, declaredLength);
            if (location.isPresent()) {
                head = head.withHeaders(head.headers().with("Location", location.get()));
            }
        } catch (IllegalArgumentException unrepresentable) {
            LOG.debug("response to {} passes through: {}", toOrigin.clientRequest().uri(), unrepresentable.getMessage());
            return;
        }
        if (clientRequest.getUserPrincipal() != null && !toOrigin.clientRequest().isAuthenticated()) {
            dontStore("a principal was authenticated while the request was served");
        }
        // The engine sees the head as the client gets it, cookies included: it decides whether a response
        // that sets a cookie is stored, and never stores the cookie itself.
        ResponseHead forEngine = head;
        ExchangePlan.OnOriginResponse plan;
        try {
            plan = engine.onOriginResponse(toOrigin, forEngine);
        } catch (RuntimeException engineFault) {
            LOG.warn("the cache engine failed on the response to {}; passing it through", toOrigin.clientRequest().uri(), engineFault);
            return;
        }
        if (plan instanceof ExchangePlan.Relay relay) {
            ResponseHeads.writeChanges(clientResponse, forEngine, relay.response());
            capture = relay.capture();
            state = State.RELAYING;
            notStorable.ifPresent(reason -> {
                abandonCapture(reason);
                state = State.PASSING;
            });
        } else {
            // The servlet answered the engine's revalidation (a 304): the client gets the stored response.
            clientResponse.reset();
            AnswerWriter.writeAnswer(clientResponse, (ExchangePlan.Answer) plan, isHeadRequest());
            held.reset();
            state = State.DISCARDING;
        }
    }

    private void writeOn(byte[] bytes, int offset, int length) throws IOException {
        switch (state) {
            case DISCARDING -> {
                // The engine's answer replaced this body.
            }
            case RELAYING -> {
                capture.append(ByteBuffer.wrap(bytes, offset, length));
                try {
                    clientStream().write(bytes, offset, length);
                } catch (IOException clientGone) {
                    dontStore("client went away: " + clientGone.getMessage());
                    throw clientGone;
                }
            }
            default -> clientStream().write(bytes, offset, length);
        }
    }

    private void abandonCapture(String reason) {
        capture.abandon(reason);
        capture = BodyCapture.NONE;
    }

    private boolean isHeadRequest() {
        return toOrigin.clientRequest().isMethod("HEAD");
    }

    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
