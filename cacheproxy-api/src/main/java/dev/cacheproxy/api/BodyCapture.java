package dev.cacheproxy.api;

import java.nio.ByteBuffer;

/**
 * Receives a response body as it streams to the client, so that the cache can store it once it has
 * arrived whole. Only a body whose end was seen as framed ({@link #complete()}) may ever be stored.
 *
 * <p>Contract: one capture serves one response, driven by one thread at a time, in the order
 * {@code append* (complete | abandon)}. None of its methods throws: a capture that fails stops
 * capturing and stores nothing, and the client's response goes on.
 */
public interface BodyCapture {

    /** A capture that keeps nothing, for responses that will not be stored. */
    BodyCapture NONE = new BodyCapture() {
        @Override
        public void append(ByteBuffer chunk) {
        }

        @Override
        public void complete() {
        }

        @Override
        public void abandon(String reason) {
        }

        @Override
        public boolean isCapturing() {
            return false;
        }
    };

    /**
     * Copies the remaining bytes of this chunk; the chunk's position is not moved and it is not kept.
     *
     * @param chunk the next bytes of the body
     */
    void append(ByteBuffer chunk);

    /** The body ended as its framing said it would: store it if it is whole and small enough. */
    void complete();

    /**
     * The body did not arrive whole (origin closed early, reset...): store nothing.
     *
     * @param reason why, for the log
     */
    void abandon(String reason);

    /**
     * Whether the capture still means to store the body: an adapter whose client went away keeps reading
     * the origin's body into a capture that is still capturing, so the entry being filled is not lost.
     *
     * @return {@code true} until the capture is complete, abandoned or gave up (too big)
     */
    default boolean isCapturing() {
        return true;
    }
}
