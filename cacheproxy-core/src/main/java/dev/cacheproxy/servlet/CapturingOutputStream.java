package dev.cacheproxy.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;

/** The output stream a servlet gets from the filter: every byte goes to the {@link ResponseRelay}. */
final class CapturingOutputStream extends ServletOutputStream {

    private final ResponseRelay relay;

    CapturingOutputStream(ResponseRelay relay) {
        this.relay = relay;
    }

    @Override
    public void write(int b) throws IOException {
        relay.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length + " for " + bytes.length + " bytes");
        }
        relay.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        relay.flush();
    }

    @Override
    public void close() throws IOException {
        relay.close();
    }

    @Override
    public boolean isReady() {
        try {
            return relay.isReady();
        } catch (IOException unavailable) {
            return false;
        }
    }

    /**
     * Non-blocking writes follow the container's readiness, which holding the body back would falsify:
     * such a response passes through and is not stored.
     */
    @Override
    public void setWriteListener(WriteListener writeListener) {
        try {
            relay.passThrough("non-blocking writes are passed through");
            relay.clientStream().setWriteListener(writeListener);
        } catch (IOException failed) {
            writeListener.onError(failed);
        }
    }
}
