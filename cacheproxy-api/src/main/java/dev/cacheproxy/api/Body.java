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

    private Body(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A body of a copy of these bytes. */
    public static Body of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Body(bytes.clone());
    }

    /** A body of the remaining bytes of this buffer, copied; the buffer's position is not moved. */
    public static Body of(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy.length == 0 ? EMPTY : new Body(copy);
    }

    /** A body of this text in UTF-8. */
    public static Body ofUtf8(String text) {
        return new Body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The empty body. */
    public static Body empty() {
        return EMPTY;
    }

    /**
     * Takes ownership of an array nobody else will write to. For stores and codecs that have just
     * read the bytes and would otherwise copy them once more.
     */
    public static Body wrapping(byte[] ownedBytes) {
        return ownedBytes.length == 0 ? EMPTY : new Body(ownedBytes);
    }

    /** The length in bytes. */
    public int size() {
        return bytes.length;
    }

    /** A read-only view of the bytes, positioned at the start; no copy is made. */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** Writes the bytes to a stream. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes);
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** The bytes decoded as UTF-8, for tests and diagnostics. */
    public String utf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Body body && Arrays.equals(bytes, body.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Body[" + bytes.length + " bytes]";
    }
}
