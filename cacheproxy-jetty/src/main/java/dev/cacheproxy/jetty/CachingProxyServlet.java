package dev.cacheproxy.jetty;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.HopByHopFields;
import dev.cacheproxy.api.ObservableEngine;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.PurgeableEngine;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.admin.AdminEndpoint;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.util.Callback;

/**
 * A reverse proxy to one origin with an RFC 9111 cache in front of it: Jetty's ee10
 * {@link ProxyServlet} whose hooks each hand one phase of the exchange to a {@link ProxyEngine}.
 *
 * <ul>
 *   <li>{@link #service}: the engine answers from the cache, or the request goes on to the origin.</li>
 *   <li>{@link #rewriteTarget}: always the configured origin plus the request's path and query; the
 *       request's {@code Host} or absolute URI never chooses where it goes.</li>
 *   <li>{@link #copyRequestHeaders}: adds the validators of a stored response being revalidated.</li>
 *   <li>{@link #onServerResponseHeaders}: the engine decides what the client gets and whether to store.</li>
 *   <li>{@link #onResponseContent}: each chunk is copied into the capture, then streamed on.</li>
 *   <li>{@link #onProxyResponseSuccess} / {@link #onProxyResponseFailure}: store the body only if it
 *       ended as framed; an origin failure becomes a 502 or 504 with a one-line plain-text body.</li>
 * </ul>
 *
 * <p>Register it with {@code asyncSupported=true}. Thread safe, like any servlet.
 */
public class CachingProxyServlet extends ProxyServlet {

    private static final long serialVersionUID = 1L;
    private static final String EXCHANGE_ATTRIBUTE = CachingProxyServlet.class.getName() + ".exchange";
    /** Marks a request dispatched again after waiting for a collapsed request. */
    private static final String WAITED_ATTRIBUTE = CachingProxyServlet.class.getName() + ".waited";

    private final transient OriginTarget target;
    private final transient ProxyEngine engine;
    private final transient OriginTransport transport;
    private final transient OriginTlsFailures tlsFailures;
    /** Purges and statistics over HTTP, configured by init-parameters; off by default. */
    private transient volatile AdminEndpoint admin = AdminEndpoint.OFF;

    /**
     * A caching proxy to this origin.
     *
     * @param origin an absolute {@code http} or {@code https} URI with a host, optionally a path prefix,
     *               and no query or fragment, e.g. {@code http://127.0.0.1:8000}
     * @param engine the engine that decides, usually a {@link CachingEngine}
     * @throws IllegalArgumentException if the origin is not such a URI
     */
    public CachingProxyServlet(URI origin, ProxyEngine engine) {
        this(origin, engine, OriginTransport.DEFAULT);
    }

    /**
     * A caching proxy to this origin, spoken to as {@code transport} says (HTTP version, trusted certificates).
     *
     * @param origin    an absolute {@code http} or {@code https} URI with a host, optionally a path prefix, and no query or fragment
     * @param engine    the engine that decides, usually a {@link CachingEngine}
     * @param transport the HTTP version and the certificates to trust
     * @throws IllegalArgumentException if the origin is not such a URI, or does not suit the transport
     *                                 ({@code h2} needs {@code https}, {@code h2c} needs {@code http})
     */
    public CachingProxyServlet(URI origin, ProxyEngine engine, OriginTransport transport) {
        this.target = new OriginTarget(origin);
        this.engine = Objects.requireNonNull(engine, "engine");
        this.transport = Objects.requireNonNull(transport, "transport");
        transport.checkFits(origin);
        this.tlsFailures = new OriginTlsFailures(origin);
    }

    /** The engine this servlet asks; {@link CachingHandler} asks the same one. */
    ProxyEngine engine() {
        return engine;
    }

    /** Where requests go, for {@link CachingHandler}. */
    OriginTarget target() {
        return target;
    }

    /**
     * A caching proxy to this origin with the default engine (RFC 9111 policy, in-memory store).
     *
     * @param origin the origin's absolute URI, e.g. {@code http://127.0.0.1:8000}
     * @return the servlet, to register as async-supported
     */
    public static CachingProxyServlet forOrigin(String origin) {
        return new CachingProxyServlet(URI.create(origin), CachingEngine.builder().build());
    }

    /** {@return the origin every request is sent to} */
    public URI origin() {
        return target.origin();
    }

    /** Jetty's initialisation, then the admin endpoint's ({@code adminToken}, {@code adminPath}, {@code purgeMethod}, {@code adminAllow}). */
    @Override
    public void init() throws ServletException {
        super.init();
        if (transport.trust() instanceof OriginTransport.AnyCertificate && "https".equalsIgnoreCase(origin().getScheme())) {
            _log.warn("INSECURE: the TLS certificate of origin {} is NOT verified: anyone on the path can pose as the "
                    + "origin, and what they send is cached for every client", origin());
        }
        String adminToken = getServletConfig().getInitParameter("adminToken");
        if (adminToken == null || adminToken.isEmpty()) {
            return;
        }
        if (!(engine instanceof PurgeableEngine && engine instanceof ObservableEngine)) {
            throw new ServletException("the admin endpoint (init-parameter adminToken) needs an engine that can purge and "
                    + "report statistics (a PurgeableEngine and ObservableEngine such as CachingEngine), got "
                    + engine.getClass().getName());
        }
        try {
            admin = AdminEndpoint.fromInitParameters((PurgeableEngine & ObservableEngine) engine,
                    getServletConfig()::getInitParameter);
        } catch (IllegalArgumentException badValue) {
            throw new ServletException("bad admin endpoint configuration: " + badValue.getMessage(), badValue);
        }
    }

    @Override
    protected void service(HttpServletRequest clientRequest, HttpServletResponse clientResponse)
            throws ServletException, IOException {
        if (admin.handle(clientRequest, clientResponse, this::targetUri)) {
            return;
        }
        RequestHead request;
        try {
            request = new RequestHead(clientRequest.getMethod(), targetUri(clientRequest), requestFields(clientRequest));
        } catch (IllegalArgumentException malformed) {
            writePlainText(clientResponse, 400, "Bad Request: " + malformed.getMessage(), HeaderFields.empty());
            return;
        }
        boolean waited = clientRequest.getAttribute(WAITED_ATTRIBUTE) != null;
        ExchangePlan.OnClientRequest plan = waited ? engine.onClientRequestAfterWait(request) : engine.onClientRequest(request);
        if (plan instanceof ExchangePlan.Wait wait) {
            waitThenDispatchAgain(clientRequest, wait);
            return;
        }
        if (plan instanceof ExchangePlan.Answer answer) {
            writeAnswer(clientRequest, clientResponse, answer);
            return;
        }
        clientRequest.setAttribute(EXCHANGE_ATTRIBUTE, new ProxiedExchange((ExchangePlan.ToOrigin) plan));
        super.service(clientRequest, clientResponse);
    }

    /**
     * Request collapsing without holding a thread: the request is suspended until the response it waits
     * for has landed (or the wait times out), then dispatched to this servlet again, which asks the
     * engine once more ({@link ProxyEngine#onClientRequestAfterWait}).
     */
    private static void waitThenDispatchAgain(HttpServletRequest clientRequest, ExchangePlan.Wait wait) {
        clientRequest.setAttribute(WAITED_ATTRIBUTE, Boolean.TRUE);
        AsyncContext async = clientRequest.startAsync();
        async.setTimeout(0); // the wait's own timeout applies, below
        // A dependent future: timing it out must not complete the one every waiter shares.
        wait.ready().toCompletableFuture()
                .thenApply(landed -> landed)
                .completeOnTimeout(null, wait.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((landed, failure) -> async.dispatch());
    }

    /** Jetty's client for the origin's protocol ({@link OriginTransport#newHttpClient}). */
    @Override
    protected HttpClient newHttpClient(ClientConnector clientConnector) {
        return transport.newHttpClient(clientConnector);
    }

    /** A connector whose TLS trusts what the transport says, with host names checked unless told not to. */
    @Override
    protected ClientConnector newClientConnector() {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(transport.sslContextFactory());
        return connector;
    }

    /** Jetty's client, able to take interim responses from the origin and relay them ({@link InterimResponses}). */
    @Override
    protected HttpClient createHttpClient() throws ServletException {
        HttpClient client = super.createHttpClient();
        InterimResponses.install(client.getProtocolHandlers());
        return client;
    }

    @Override
    protected String rewriteTarget(HttpServletRequest clientRequest) {
        return exchange(clientRequest).toOrigin.clientRequest().uri().toString();
    }

    @Override
    protected void copyRequestHeaders(HttpServletRequest clientRequest, Request originRequest) {
        super.copyRequestHeaders(clientRequest, originRequest);
        ExchangePlan.ToOrigin toOrigin = exchange(clientRequest).toOrigin;
        if (!toOrigin.changesNothing()) {
            originRequest.headers(headers -> toOrigin.applyTo(headers::remove, headers::add));
        }
    }

    @Override
    protected void onServerResponseHeaders(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                           Response originResponse) {
        ProxiedExchange exchange = exchange(clientRequest);
        Optional<ResponseHead> head = FromJetty.responseHead(originResponse);
        if (head.isEmpty()) {
            originResponse.abort(new FromJetty.BrokenOriginResponse("the origin sent an invalid status code " + originResponse.getStatus()));
            return;
        }
        ExchangePlan.OnOriginResponse plan = engine.onOriginResponse(exchange.toOrigin, head.get());
        if (plan instanceof ExchangePlan.Relay relay) {
            exchange.relaying(relay.capture());
            writeHead(clientResponse, relay.response());
        } else {
            // The origin's answer (a 304) has no body; the stored one is written once it has ended.
            ExchangePlan.Answer answer = (ExchangePlan.Answer) plan;
            exchange.answering(answer);
            writeHead(clientResponse, answer.response());
        }
    }

    @Override
    protected void onResponseContent(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                     Response originResponse, byte[] buffer, int offset, int length, Callback callback) {
        ProxiedExchange exchange = exchange(clientRequest);
        if (exchange.answerAfterOrigin().isPresent()) {
            // The client gets a stored response instead (a 304 merged, or stale-if-error): drop the origin's body.
            callback.succeeded();
            return;
        }
        // Copy first: Jetty recycles the chunk's buffer as soon as super's write succeeds.
        exchange.capture().append(ByteBuffer.wrap(buffer, offset, length));
        if (exchange.clientGone()) {
            callback.succeeded();
            return;
        }
        super.onResponseContent(clientRequest, clientResponse, originResponse, buffer, offset, length,
                Callback.from(callback::succeeded, clientFailure -> {
                    if (exchange.capture().isCapturing()) {
                        // The client went away, but the body is on its way into the store: keep reading it
                        // (at most the maximum object size) so the entry being filled is not lost.
                        exchange.clientWentAway();
                        callback.succeeded();
                    } else {
                        callback.failed(clientFailure);
                    }
                }));
    }

    @Override
    protected void onProxyResponseSuccess(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                          Response originResponse) {
        ProxiedExchange exchange = exchange(clientRequest);
        exchange.capture().complete();
        exchange.answerAfterOrigin().ifPresent(answer -> {
            try {
                writeBody(clientRequest, clientResponse, answer.body());
            } catch (IOException clientGone) {
                _log.debug("client went away while the validated response was written", clientGone);
            }
        });
        super.onProxyResponseSuccess(clientRequest, clientResponse, originResponse);
    }

    @Override
    protected void onProxyResponseFailure(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                          Response originResponse, Throwable failure) {
        ProxiedExchange exchange = exchange(clientRequest);
        exchange.capture().abandon(FromJetty.problem(failure));
        if (clientResponse.isCommitted()) {
            // Part of the body is on its way: the client must see an aborted response, not a short one.
            super.onProxyResponseFailure(clientRequest, clientResponse, originResponse, failure);
            return;
        }
        clientResponse.reset();
        // A TLS failure is named without the JDK's text, which carries the origin's address; that goes to the log.
        OriginFailure originFailure = tlsFailures.describe(failure).<OriginFailure>map(OriginFailure.Unreachable::new)
                .orElseGet(() -> FromJetty.originFailure(failure));
        ExchangePlan.OnOriginFailure plan = engine.onOriginFailure(exchange.toOrigin, originFailure);
        try {
            if (plan instanceof ExchangePlan.Answer answer) {
                writeAnswer(clientRequest, clientResponse, answer);
            } else {
                ExchangePlan.Fail fail = (ExchangePlan.Fail) plan;
                writePlainText(clientResponse, fail.status(), fail.message(),
                        HeaderFields.of("Cache-Status", fail.cacheStatus().toHeaderValue()));
            }
        } catch (IOException clientGone) {
            _log.debug("client went away while the origin failure was reported", clientGone);
        } finally {
            if (clientRequest.isAsyncStarted()) {
                clientRequest.getAsyncContext().complete();
            }
        }
    }

    /** The URI the request is sent to: the origin, its path prefix, then the request's path and query. */
    private URI targetUri(HttpServletRequest clientRequest) {
        return target.resolve(clientRequest.getRequestURI().substring(clientRequest.getContextPath().length()),
                clientRequest.getQueryString());
    }

    private static HeaderFields requestFields(HttpServletRequest clientRequest) {
        HeaderFields.Builder fields = HeaderFields.builder();
        for (Enumeration<String> names = clientRequest.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = clientRequest.getHeaders(name); values.hasMoreElements(); ) {
                fields.add(name, values.nextElement());
            }
        }
        return fields.build();
    }

    private void writeAnswer(HttpServletRequest clientRequest, HttpServletResponse clientResponse, ExchangePlan.Answer answer)
            throws IOException {
        writeHead(clientResponse, answer.response());
        writeBody(clientRequest, clientResponse, answer.body());
        answer.refresh().ifPresent(refresh -> BackgroundRefresh.send(getHttpClient(), engine, refresh, getTimeout()));
    }

    private static void writeHead(HttpServletResponse clientResponse, ResponseHead head) {
        clientResponse.setStatus(head.status());
        Set<String> written = new HashSet<>();
        for (HeaderField line : head.headers().lines()) {
            String name = line.lowerCaseName();
            if (HopByHopFields.NAMES.contains(name)) {
                continue;
            }
            // The first line replaces what the container set by itself (Date, Server); later ones add.
            if (written.add(name)) {
                clientResponse.setHeader(line.name(), line.value());
            } else {
                clientResponse.addHeader(line.name(), line.value());
            }
        }
    }

    private static void writeBody(HttpServletRequest clientRequest, HttpServletResponse clientResponse, Body body)
            throws IOException {
        if (body.size() > 0 && !"HEAD".equals(clientRequest.getMethod())) {
            body.writeTo(clientResponse.getOutputStream());
        }
    }

    private static void writePlainText(HttpServletResponse clientResponse, int status, String message, HeaderFields extra)
            throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        writeHead(clientResponse, new ResponseHead(status, extra));
        clientResponse.setContentType("text/plain;charset=utf-8");
        clientResponse.setHeader("Cache-Control", "no-store");
        clientResponse.setContentLength(body.length);
        clientResponse.getOutputStream().write(body);
    }

    private static ProxiedExchange exchange(HttpServletRequest clientRequest) {
        return (ProxiedExchange) clientRequest.getAttribute(EXCHANGE_ATTRIBUTE);
    }

}
