package dev.cacheproxy.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Optional;

/**
 * The response a servlet behind the filter writes to. Status and header fields go straight to the
 * container's response (so the container's own additions, such as its session cookie, are there when
 * the head is read); the body, and everything that commits or resets the response, goes through the
 * {@link ResponseRelay}.
 */
final class CapturingResponse extends HttpServletResponseWrapper {

    private final ResponseRelay relay;
    private final CapturingOutputStream stream;
    private PrintWriter writer;
    private boolean usingStream;

    CapturingResponse(HttpServletResponse clientResponse, ResponseRelay relay) {
        super(clientResponse);
        this.relay = relay;
        this.stream = new CapturingOutputStream(relay);
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        usingStream = true;
        return stream;
    }

    /** Encodes with the response's character encoding, fixed now as the container fixes it, so stored bytes are sent bytes. */
    @Override
    public PrintWriter getWriter() throws IOException {
        if (usingStream) {
            throw new IllegalStateException("getOutputStream() has already been called for this response");
        }
        if (writer == null) {
            String encoding = getCharacterEncoding() == null ? "ISO-8859-1" : getCharacterEncoding();
            Charset charset;
            try {
                charset = Charset.forName(encoding);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException unknown) {
                throw new UnsupportedEncodingException(encoding);
            }
            setCharacterEncoding(encoding);
            writer = new PrintWriter(new EncodingWriter(stream, charset), false);
        }
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        relay.flush();
    }

    @Override
    public boolean isCommitted() {
        return relay.isCommitted();
    }

    @Override
    public void reset() {
        relay.reset();
        writer = null;
        usingStream = false;
    }

    @Override
    public void resetBuffer() {
        relay.resetBuffer();
    }

    @Override
    public void setBufferSize(int size) {
        relay.setBufferSize(size);
    }

    @Override
    public int getBufferSize() {
        return relay.bufferSize();
    }

    @Override
    public void setContentLength(int length) {
        relay.declareLength(Optional.of((long) length).filter(declared -> declared >= 0));
        super.setContentLength(length);
    }

    @Override
    public void setContentLengthLong(long length) {
        relay.declareLength(Optional.of(length).filter(declared -> declared >= 0));
        super.setContentLengthLong(length);
    }

    @Override
    public void setHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            relay.declareLength(parsedLength(value));
        }
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            relay.declareLength(parsedLength(value));
        }
        super.addHeader(name, value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            relay.declareLength(Optional.of((long) value));
        }
        super.setIntHeader(name, value);
    }

    @Override
    public void addIntHeader(String name, int value) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            relay.declareLength(Optional.of((long) value));
        }
        super.addIntHeader(name, value);
    }

    @Override
    public void sendError(int status, String message) throws IOException {
        relay.sendingError(status);
        super.sendError(status, message);
    }

    @Override
    public void sendError(int status) throws IOException {
        relay.sendingError(status);
        super.sendError(status);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        relay.redirecting(location);
        super.sendRedirect(location);
    }

    private static Optional<Long> parsedLength(String value) {
        try {
            return value == null ? Optional.empty() : Optional.of(Long.parseLong(value.strip()));
        } catch (NumberFormatException notANumber) {
            return Optional.empty();
        }
    }
}
