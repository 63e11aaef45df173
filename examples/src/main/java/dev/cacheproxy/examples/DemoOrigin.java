package dev.cacheproxy.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A small origin on 127.0.0.1 for trying the proxy out: {@code /hello} is cacheable for 60 seconds,
 * {@code /private} is {@code private}, and every other path is {@code no-store}. Each body says how
 * many requests the origin has served, so a hit is easy to tell from a miss.
 */
final class DemoOrigin implements AutoCloseable {

    private final Server server = new Server();
    private final AtomicLong served = new AtomicLong();

    /** Starts on 127.0.0.1 and a free port. */
    DemoOrigin() throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                long count = served.incrementAndGet();
                String path = Request.getPathInContext(request);
                String cacheControl = switch (path) {
                    case "/hello" -> "public, max-age=60";
                    case "/private" -> "private, max-age=60";
                    default -> "no-store";
                };
                String body = "Hello from the demo origin: request #" + count + " at " + Instant.now() + " for " + path + "\n";
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, cacheControl);
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:39181}. */
    String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception stopFailure) {
            throw new IllegalStateException("the demo origin did not stop cleanly", stopFailure);
        }
    }
}
