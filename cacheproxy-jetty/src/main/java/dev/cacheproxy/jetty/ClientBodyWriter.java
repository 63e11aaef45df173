package dev.cacheproxy.jetty;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.channels.WritePendingException;
import java.util.Objects;
import org.eclipse.jetty.util.Callback;

/**
 * The client's response body, written without blocking a thread (Servlet 3.1 non-blocking output, the
 * pattern of Jetty's {@code AsyncProxyServlet}): each write is handed to the container, and its callback
 * succeeds once the container has taken all of it, so a client that reads slowly holds buffers and a
 * connection, never a pool thread. One per exchange (a response takes one {@link WriteListener}), made on
 * the first write and kept in a request attribute; the request must be in async mode.
 *
 * <p>Unlike Jetty's, a failed write does not abort the origin's response: it fails the write's callback
 * with the client's failure, and the caller decides (the servlet goes on reading a body that is being
 * stored). Once the client's side has failed, every later write fails at once with the same failure.
 *
 * <p>One write at a time: the next may begin once the previous one's callback has run, as Jetty's client
 * delivers content. Thread safe for that use: the container's calls and the caller's may come on
 * different threads.
 */
final class ClientBodyWriter implements WriteListener {

    private static final String ATTRIBUTE = ClientBodyWriter.class.getName();

    /** What to hand the output in one write. */
    @FunctionalInterface
    interface Bytes {
        void writeTo(ServletOutputStream output) throws IOException;
    }

    private final ServletOutputStream output;
    private final Object lock = new Object();
    private boolean listening;
    private Bytes pending;
    private Callback callback;
    private boolean handedOver;
    private Throwable failure;

    private ClientBodyWriter(ServletOutputStream output) {
        this.output = output;
    }

    /** The writer of this exchange's response, made on first use. */
    static ClientBodyWriter of(HttpServletRequest clientRequest, HttpServletResponse clientResponse) throws IOException {
        Object existing = clientRequest.getAttribute(ATTRIBUTE);
        if (existing instanceof ClientBodyWriter writer) {
            return writer;
        }
        ClientBodyWriter writer = new ClientBodyWriter(clientResponse.getOutputStream());
        clientRequest.setAttribute(ATTRIBUTE, writer);
        return writer;
    }

    /**
     * Hands these bytes to the container; {@code done} succeeds once it has taken them all, or fails with
     * the client's failure. Never blocks, never throws for the client's sake.
     *
     * @throws WritePendingException if the previous write has not finished
     */
    void write(Bytes bytes, Callback done) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(done, "done");
        Throwable failed;
        boolean first;
        synchronized (lock) {
            if (callback != null) {
                throw new WritePendingException();
            }
            failed = failure;
            first = !listening;
            if (failed == null) {
                pending = bytes;
                callback = done;
                handedOver = false;
                listening = true;
            }
        }
        if (failed != null) {
            done.failed(failed);
        } else if (first) {
            try {
                // Set after the bytes: the container calls onWritePossible, perhaps on another thread, at once.
                output.setWriteListener(this);
            } catch (RuntimeException cannotListen) {
                onError(cannotListen);
            }
        } else {
            onWritePossible();
        }
    }

    /** Hands over the pending bytes, or finishes the write once the container has taken them. */
    @Override
    public void onWritePossible() {
        Callback finished;
        try {
            synchronized (lock) {
                if (callback == null) {
                    return; // nothing to write: a call for an earlier write that has finished already
                }
                if (!handedOver) {
                    handedOver = true;
                    pending.writeTo(output);
                }
                if (callback == null || !output.isReady()) {
                    // Failed meanwhile (onError has run), or the container calls again once it has taken everything.
                    return;
                }
                finished = callback;
                callback = null;
                pending = null;
            }
        } catch (IOException | RuntimeException clientFailed) {
            onError(clientFailed);
            return;
        }
        // Outside the lock: the callback may start the next write, on this thread or another.
        finished.succeeded();
    }

    /** The client's side failed (gone, idle too long): the pending write fails, and so will every later one. */
    @Override
    public void onError(Throwable clientFailure) {
        Callback failed;
        synchronized (lock) {
            if (failure == null) {
                failure = clientFailure;
            }
            failed = callback;
            callback = null;
            pending = null;
        }
        if (failed != null) {
            failed.failed(clientFailure);
        }
    }
}
