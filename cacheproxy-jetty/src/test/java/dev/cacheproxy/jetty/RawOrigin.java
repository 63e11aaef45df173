package dev.cacheproxy.jetty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An origin on 127.0.0.1 that writes exactly the bytes a test gives it, for what a well-behaved server
 * cannot be made to send: interim responses, invalid status lines, bodies cut short. Connections are
 * kept alive: each request head read on a connection is answered by the script, until it says to close.
 */
final class RawOrigin implements AutoCloseable {

    /**
     * The bytes to answer one request with, and what then: more bytes once {@code rest} returns them (it
     * may block, to hold a body mid-way), then close the connection (with a reset when {@code reset}) or
     * keep it for the next request.
     */
    record Answer(byte[] bytes, boolean close, boolean reset, Rest rest) {
        Answer(byte[] bytes, boolean close) {
            this(bytes, close, false, () -> new byte[0]);
        }

        Answer(byte[] bytes, boolean close, boolean reset) {
            this(bytes, close, reset, () -> new byte[0]);
        }

        static Answer keepAlive(String text) {
            return new Answer(text.getBytes(StandardCharsets.ISO_8859_1), false);
        }

        static Answer thenClose(String text) {
            return new Answer(text.getBytes(StandardCharsets.ISO_8859_1), true);
        }
    }

    /** The rest of an answer, written after its first bytes were flushed. */
    interface Rest {
        byte[] bytes() throws IOException;
    }

    /** Answers one request, given its request line (e.g. {@code GET /a HTTP/1.1}). */
    interface Script {
        Answer answer(String requestLine) throws IOException;
    }

    private final ServerSocket serverSocket;
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();

    RawOrigin(Script script) throws IOException {
        this.script = script;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "raw-origin-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + serverSocket.getLocalPort();
    }

    /** How many connections the origin accepted. */
    int connections() {
        return connections.get();
    }

    /** The request lines received, in order. */
    List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.incrementAndGet();
                Thread connection = new Thread(() -> serve(socket), "raw-origin-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head.isEmpty()) {
                    return;
                }
                String requestLine = head.lines().findFirst().orElse("");
                requestLines.add(requestLine);
                Answer answer = script.answer(requestLine);
                out.write(answer.bytes());
                out.flush();
                out.write(answer.rest().bytes());
                out.flush();
                if (answer.reset()) {
                    socket.setSoLinger(true, 0); // close with a TCP reset
                }
                if (answer.close()) {
                    return;
                }
            }
        } catch (IOException connectionGone) {
            // the proxy closed the connection: nothing more to serve on it
        }
    }

    /** Reads a request head (requests here have no body); empty at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            if (head.size() >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }
}
