package dev.cacheproxy.jetty;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real HTTP origin on 127.0.0.1 for tests: each path answers as a test tells it to, and the origin
 * remembers every request it received (method, headers, body), so a test can assert what reached it.
 */
final class TestOrigin implements AutoCloseable {

    /** What the origin received. */
    record Received(String method, String pathAndQuery, HttpFields headers, byte[] body) {
    }

    /** How a path answers: status, header lines, body. */
    record Reply(int status, List<String> headerLines, byte[] body) {
        static Reply of(int status, String body, String... nameValuePairs) {
            return new Reply(status, List.of(nameValuePairs), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Decides the reply to one request. */
    interface Route {
        Reply reply(Received request) throws Exception;
    }

    private final Server server = new Server();
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();

    TestOrigin() throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = org.eclipse.jetty.util.BufferUtil.toArray(Content.Source.asByteBuffer(request));
                String query = request.getHttpURI().getQuery();
                String path = request.getHttpURI().getPath();
                Received got = new Received(request.getMethod(), path + (query == null ? "" : "?" + query),
                        HttpFields.build(request.getHeaders()).asImmutable(), body);
                received.add(got);
                count.incrementAndGet();
                Route route = routes.getOrDefault(path, r -> Reply.of(404, "no route for " + path + "\n", "Content-Type", "text/plain"));
                Reply reply = route.reply(got);
                response.setStatus(reply.status());
                for (int i = 0; i < reply.headerLines().size(); i += 2) {
                    response.getHeaders().add(reply.headerLines().get(i), reply.headerLines().get(i + 1));
                }
                response.write(true, ByteBuffer.wrap(reply.body()), callback);
                return true;
            }
        });
        server.start();
    }

    /** Answers requests for this path with the route. */
    TestOrigin route(String path, Route route) {
        routes.put(path, route);
        return this;
    }

    /** Answers requests for this path always the same way. */
    TestOrigin route(String path, Reply reply) {
        return route(path, request -> reply);
    }

    String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** How many requests reached the origin, for any path. */
    int requestCount() {
        return count.get();
    }

    /** Every request that reached the origin, in order. */
    List<Received> received() {
        return List.copyOf(received);
    }

    /** The last request that reached the origin. */
    Received lastReceived() {
        return received.get(received.size() - 1);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception stopFailure) {
            throw new IllegalStateException("the test server did not stop", stopFailure);
        }
    }
}
