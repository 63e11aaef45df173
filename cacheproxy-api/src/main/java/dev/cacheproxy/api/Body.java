package dev.cacheproxy.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable, complete response body. It is a class rather than a record so that its bytes can
 * be shared without copying: nothing outside this class ever sees the array it holds.
 */
public final class Body {

    private static final Body EMPTY = new Body(new byte[0]);

    private final byte[] bytes;
    private final int offset;
    private final int length;

    private Body(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    private Body(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    /**
     * A body of a copy of these bytes.
     *
     * @param bytes the bytes, copied: later changes to the array do not show
     * @return the body
     */
    public static Body of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Body(bytes.clone());
    }

    /**
     * A body of the remaining bytes of this buffer, copied; the buffer's position is not moved.
     *
     * @param buffer the bytes from its position to its limit
     * @return the body
     */
    public static Body of(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy.length == 0 ? EMPTY : new Body(copy);
    }

    /**
     * A body of this text in UTF-8.
     *
     * @param text the text to encode
     * @return the body
     */
    public static Body ofUtf8(String text) {
        return new Body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@return the empty body} */
    public static Body empty() {
        return EMPTY;
    }

    /**
     * Takes ownership of an array nobody else will write to. For stores and codecs that have just
     * read the bytes and would otherwise copy them once more.
     *
     * @param ownedBytes the bytes, not copied: the caller must never write to the array again
     * @return the body
     */
    public static Body wrapping(byte[] ownedBytes) {
        return ownedBytes.length == 0 ? EMPTY : new Body(ownedBytes);
    }

    /** {@return the length in bytes} */
    public int size() {
        return length;
    }

    /**
     * The part of this body from {@code from} (inclusive) to {@code to} (exclusive), sharing its bytes.
     *
     * @param from the index of the first byte of the part
     * @param to   the index after its last byte
     * @return the part, without a copy
     * @throws IndexOutOfBoundsException if the range is not within the body
     */
    public Body slice(int from, int to) {
        if (from < 0 || to > length || from > to) {
            throw new IndexOutOfBoundsException("slice " + from + ".." + to + " of a body of " + length + " bytes");
        }
        return from == 0 && to == length ? this : new Body(bytes, offset + from, to - from);
    }

    /** {@return a read-only view of the bytes, positioned at the start; no copy is made} */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes, offset, length).slice().asReadOnlyBuffer();
    }

    /**
     * A buffer over the bytes themselves, for an I/O layer that only reads what it is given to write: it
     * is not read-only because servers such as Jetty copy a read-only buffer before writing it, which a
     * hit should not pay for. Never write through it: that would change the body for every later reader.
     *
     * @return a new buffer over the stored bytes, positioned at the start
     */
    public ByteBuffer bufferForWriting() {
        // One buffer rather than two for a body that starts its array: every hit writes one.
        return offset == 0 ? ByteBuffer.wrap(bytes, 0, length) : ByteBuffer.wrap(bytes, offset, length).slice();
    }

    /**
     * Writes the bytes to a stream, without copying them first.
     *
     * @param out the stream to write to; it is neither flushed nor closed
     * @throws IOException when the stream fails
     */
    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes, offset, length);
    }

    /** {@return a copy of the bytes} */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    /** {@return the bytes decoded as UTF-8, for tests and diagnostics} */
    public String utf8() {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Body body
                && Arrays.equals(bytes, offset, offset + length, body.bytes, body.offset, body.offset + body.length);
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + bytes[i];
        }
        return hash;
    }

    @Override
    public String toString() {
        return "Body[" + length + " bytes]";
    }
}
