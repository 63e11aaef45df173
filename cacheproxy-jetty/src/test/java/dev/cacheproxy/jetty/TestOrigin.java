package dev.cacheproxy.jetty;

import java.nio.ByteBuffer;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A real HTTP origin on 127.0.0.1 for tests: each path answers as a test tells it to, and the origin
 * remembers every request it received (method, headers, body), so a test can assert what reached it.
 */
final class TestOrigin implements AutoCloseable {

    /** What the origin received. */
    record Received(String method, String pathAndQuery, HttpFields headers, byte[] body) {
    }

    /** How a request arrived: its HTTP version ({@code HTTP/2.0}) and the authority it named (host:port). */
    record Arrival(String version, String authority) {
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
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    private final String scheme;
    private final int port;

    TestOrigin() throws Exception {
        this(Optional.empty());
    }

    /**
     * An origin over TLS with this certificate, offering h2 and HTTP/1.1 by ALPN, that remembers the
     * server names (SNI) clients asked for.
     */
    TestOrigin(TestCertificates.Issued certificate) throws Exception {
        this(Optional.of(certificate));
    }

    private TestOrigin(Optional<TestCertificates.Issued> certificate) throws Exception {
        if (certificate.isPresent()) {
            scheme = "https";
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStore(certificate.get().keyStore("test".toCharArray()));
            tls.setKeyStorePassword("test");
            // The certificate is checked by the proxy, the test's subject; the origin answers whatever it says.
            Wire.addTlsConnector(server, tls, false);
        } else {
            scheme = "http";
            Wire.addClearConnector(server); // HTTP/1.1 and h2c
        }
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = org.eclipse.jetty.util.BufferUtil.toArray(Content.Source.asByteBuffer(request));
                String query = request.getHttpURI().getQuery();
                String path = request.getHttpURI().getPath();
                Received got = new Received(request.getMethod(), path + (query == null ? "" : "?" + query),
                        HttpFields.build(request.getHeaders()).asImmutable(), body);
                received.add(got);
                if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls
                        && tls.sslSession() instanceof ExtendedSSLSession session) {
                    serverNames.addAll(session.getRequestedServerNames().stream()
                            .map(name -> name instanceof SNIHostName host ? host.getAsciiName() : name.toString()).toList());
                }
                arrivals.add(new Arrival(request.getConnectionMetaData().getHttpVersion().asString(),
                        request.getHttpURI().getHost() + ":" + request.getHttpURI().getPort()));
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
        ServerConnector connector = (ServerConnector) server.getConnectors()[0];
        // A restarted origin listens where it did before, as a backend coming back would.
        connector.setPort(connector.getLocalPort());
        this.port = connector.getLocalPort();
    }

    /** Stops listening: connections are refused until {@link #restart()}. */
    void stop() throws Exception {
        server.stop();
    }

    /** Listens again on the same port. */
    void restart() throws Exception {
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
        return scheme + "://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** How each request arrived, in order. */
    List<Arrival> arrivals() {
        return List.copyOf(arrivals);
    }

    /** The server names (SNI) that requests' connections asked for, in order. */
    List<String> serverNames() {
        return List.copyOf(serverNames);
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
