package dev.cacheproxy.jetty;

import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Content;

/**
 * The client's request body on its way to a backend, opened only when the backend's connection first
 * asks for it. A request that failed before that (its connection refused) has taken nothing from the
 * client, so it can go to another backend with the body whole; one that read any of it never goes
 * again, so a body is never sent twice or sent half.
 */
final class DeferredRequestContent implements Request.Content {

    /** Opens the real content over the client's input. */
    @FunctionalInterface
    interface Opener {
        Request.Content open() throws java.io.IOException;
    }

    private final Opener opener;
    private final long length;
    private final String contentType;
    private final AtomicBoolean touched;
    private Request.Content content;

    /**
     * @param touched set once any of the body is asked for; shared by every attempt of one exchange
     */
    DeferredRequestContent(Opener opener, long length, String contentType, AtomicBoolean touched) {
        this.opener = opener;
        this.length = length;
        this.contentType = contentType == null ? "application/octet-stream" : contentType;
        this.touched = touched;
    }

    private synchronized Request.Content content() {
        if (content == null) {
            touched.set(true);
            try {
                content = opener.open();
            } catch (java.io.IOException | RuntimeException cannotOpen) {
                content = new FailedContent(cannotOpen);
            }
        }
        return content;
    }

    @Override
    public String getContentType() {
        return contentType;
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public Content.Chunk read() {
        return content().read();
    }

    @Override
    public void demand(Runnable demandCallback) {
        content().demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
        Request.Content opened;
        synchronized (this) {
            opened = content;
        }
        // Failing the real content would close the client's input; before it was opened there is nothing to fail.
        if (opened != null) {
            opened.fail(failure);
        }
    }

    @Override
    public boolean rewind() {
        return false;
    }

    /** The body could not be opened: every read says why. */
    private record FailedContent(Throwable failure) implements Request.Content {
        @Override
        public Content.Chunk read() {
            return Content.Chunk.from(failure);
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run();
        }

        @Override
        public void fail(Throwable ignored) {
        }
    }
}
