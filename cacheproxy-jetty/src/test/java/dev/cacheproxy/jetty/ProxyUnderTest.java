package dev.cacheproxy.jetty;

import dev.cacheproxy.api.ProxyEngine;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A {@link CachingProxyServlet} in an embedded Jetty on 127.0.0.1, and a client to talk to it. */
final class ProxyUnderTest implements AutoCloseable {

    private final Server server = new Server();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Requests that reached the servlet's context, past any handler in front of it. */
    final AtomicInteger servletRequests = new AtomicInteger();
    private final CachingProxyServlet servlet;

    /** What stands in front of the servlet. */
    enum FrontEnd {
        /** Nothing: the servlet alone. */
        SERVLET,
        /** A {@link CachingHandler}, called on pool threads. */
        CACHING_HANDLER,
        /** A {@link CachingHandler#forInMemoryStore}, which Jetty may call on its selector threads. */
        CACHING_HANDLER_IN_MEMORY
    }

    ProxyUnderTest(URI origin, ProxyEngine engine, Map<String, String> initParameters) throws Exception {
        this(origin, engine, initParameters, FrontEnd.SERVLET);
    }

    ProxyUnderTest(URI origin, ProxyEngine engine, Map<String, String> initParameters, FrontEnd frontEnd)
            throws Exception {
        this(origin, engine, initParameters, frontEnd, OriginTransport.DEFAULT);
    }

    /** A proxy that speaks to its origin as {@code transport} says. */
    ProxyUnderTest(URI origin, ProxyEngine engine, OriginTransport transport) throws Exception {
        this(origin, engine, Map.of(), FrontEnd.SERVLET, transport);
    }

    private ProxyUnderTest(URI origin, ProxyEngine engine, Map<String, String> initParameters, FrontEnd frontEnd,
                           OriginTransport transport) throws Exception {
        this(new CachingProxyServlet(origin, engine, transport), initParameters, frontEnd);
    }

    /** A proxy with this servlet (e.g. one with several routes and pools). */
    ProxyUnderTest(CachingProxyServlet servlet, Map<String, String> initParameters, FrontEnd frontEnd) throws Exception {
        this.servlet = servlet;
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        holder.setInitParameters(initParameters);
        context.addServlet(holder, "/*");
        context.addFilter((request, response, chain) -> {
            servletRequests.incrementAndGet();
            chain.doFilter(request, response);
        }, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(switch (frontEnd) {
            case SERVLET -> context;
            case CACHING_HANDLER -> new CachingHandler(context, servlet);
            case CACHING_HANDLER_IN_MEMORY -> CachingHandler.forInMemoryStore(context, servlet);
        });
        server.start();
    }

    ProxyUnderTest(URI origin, ProxyEngine engine) throws Exception {
        this(origin, engine, Map.of());
    }

    CachingProxyServlet servlet() {
        return servlet;
    }

    int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
        return send(request(pathAndQuery, headers).GET().build());
    }

    HttpRequest.Builder request(String pathAndQuery, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) throws IOException, InterruptedException {
        return client.send(request, bodyHandler);
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
