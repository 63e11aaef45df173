package dev.cacheproxy.jetty;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.logging.JettyLogger;
import org.eclipse.jetty.logging.StdErrAppender;
import org.slf4j.LoggerFactory;

/**
 * What the tests' logging backend (Jetty's slf4j implementation) writes while this is open, still
 * written to standard error as well. Every logger shares the one appender.
 */
final class CapturedLog implements AutoCloseable {

    private final StdErrAppender appender;
    private final PrintStream original;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    CapturedLog() {
        appender = (StdErrAppender) ((JettyLogger) LoggerFactory.getLogger(CapturedLog.class)).getAppender();
        original = appender.getStream(); // null: the appender writes to System.err as it is at the time
        PrintStream through = original != null ? original : System.err;
        PrintStream both = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                through.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                synchronized (captured) {
                    captured.write(bytes, offset, length);
                }
                through.write(bytes, offset, length);
            }
        }, true, StandardCharsets.UTF_8);
        appender.setStream(both);
    }

    /** Everything logged so far. */
    String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        appender.setStream(original);
    }
}
