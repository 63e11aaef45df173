package dev.cacheproxy.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.Charset;

/**
 * Encodes characters straight into a stream, buffering nothing but the high half of a surrogate pair,
 * so that what the servlet wrote is in the stream (and the stored body) as soon as it is written, and
 * a {@code resetBuffer()} leaves nothing behind in an encoder.
 */
final class EncodingWriter extends Writer {

    private final OutputStream out;
    private final Charset charset;
    private char pendingHighSurrogate;
    private boolean hasPending;

    EncodingWriter(OutputStream out, Charset charset) {
        this.out = out;
        this.charset = charset;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        encode(new String(chars, offset, length));
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        encode(text.substring(offset, offset + length));
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void encode(String text) throws IOException {
        if (text.isEmpty()) {
            return;
        }
        if (hasPending) {
            text = pendingHighSurrogate + text;
            hasPending = false;
        }
        char last = text.charAt(text.length() - 1);
        if (Character.isHighSurrogate(last)) {
            pendingHighSurrogate = last;
            hasPending = true;
            text = text.substring(0, text.length() - 1);
        }
        if (!text.isEmpty()) {
            out.write(text.getBytes(charset));
        }
    }
}
