package dev.cacheproxy.jetty;

import dev.cacheproxy.admin.AdminEndpoint;
import dev.cacheproxy.api.BackendReport;
import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.HopByHopFields;
import dev.cacheproxy.api.ObservableEngine;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.PurgeResult;
import dev.cacheproxy.api.PurgeableEngine;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.ClientForwarding;
import dev.cacheproxy.servlet.AnswerWriter;
import dev.cacheproxy.servlet.CollapsingWait;

import dev.cacheproxy.api.Body;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.eclipse.jetty.client.DuplexConnectionPool;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.Callback;

/**
 * A reverse proxy to one origin, or to pools of backends chosen by {@link Routes}, with an RFC 9111
 * cache in front: Jetty's ee10 {@link AsyncProxyServlet} whose hooks each hand one phase of the exchange to
 * a {@link ProxyEngine}. Its I/O never blocks a thread: the client's body is read and the response body
 * written with Servlet 3.1 non-blocking I/O, so a client that sends or reads slowly holds a connection
 * and buffers, not a thread of the server's pool, until the connector's idle timeout closes it.
 *
 * <ul>
 *   <li>{@link #service}: the request's route is found (a 404 when none matches), then the engine
 *       answers from the cache, or the request goes on to a backend. Responses are cached under the
 *       pool's {@linkplain BackendPool#keyOrigin() key origin} with the path the client asked for and
 *       the route's {@linkplain Route#pathRewrite() path rewrite}, whichever backend answers: one key
 *       never names two backend resources, while route rules, key functions, {@code Cache-Status} and
 *       purges see the client's path.</li>
 *   <li>{@link #rewriteTarget}: a backend of the route's pool ({@link BackendPool}) plus the path (its
 *       prefix stripped when the route says so) and query; the request's {@code Host} or absolute URI
 *       only chooses among the configured routes, never the destination itself.</li>
 *   <li>{@link #copyRequestHeaders}, {@link #sendProxyRequest}: the client's fields, then
 *       {@link #addOriginRequestFields}, then the engine's changes (the validators of a stored response
 *       being revalidated), applied last so that no hook undoes them.</li>
 *   <li>{@link #onServerResponseHeaders}: the engine decides what the client gets and whether to store.</li>
 *   <li>{@link #onResponseContent}: each chunk is copied into the capture, then streamed on without
 *       blocking; the next chunk is read from the origin once the client has taken this one.</li>
 *   <li>{@link #onProxyResponseSuccess} / {@link #onProxyResponseFailure}: store the body only if it
 *       ended as framed; a request whose connection failed before anything was sent goes once to
 *       another backend, an idempotent one without a body that failed before its response began may be
 *       retried within the pool's {@link RetryBudget}; otherwise an origin failure becomes a 502 or 504
 *       with a one-line plain-text body (a 503 when every backend is at its connection limit).</li>
 * </ul>
 *
 * <p>The servlet's path counts: mapped at {@code /api/*}, it sends {@code /api/users} on as
 * {@code /api/users}; a route with {@link Route#stripped()} sends {@code /users}. Backends' health
 * checks start with the servlet and stop when it is destroyed.
 *
 * <p>The hooks above, and the others that decide where a request goes or what the client gets, are
 * {@code final}: a subclass cannot make the cache key and the origin request disagree, or store what
 * it did not relay. What a subclass may change has a named hook: {@link #addOriginRequestFields} (fields
 * the origin needs, such as credentials); the HTTP version and TLS to the origin are the
 * {@link OriginTransport}'s, given to the constructor; {@code init()} and {@code destroy()} may be
 * extended (call {@code super}).
 *
 * <p>Register it with {@code asyncSupported=true}. Thread safe, like any servlet.
 */
public class CachingProxyServlet extends AsyncProxyServlet {

    private static final long serialVersionUID = 1L;
    private static final String EXCHANGE_ATTRIBUTE = CachingProxyServlet.class.getName() + ".exchange";
    /**
     * The phase-1 plan {@link CachingHandler} already had from the engine for this request: the servlet
     * goes on from it instead of asking again, so that a miss looks the store up once and counts once.
     */
    static final String DECIDED_ATTRIBUTE = CachingProxyServlet.class.getName() + ".decided";

    /** Init-parameters of our own: the admin endpoint's and the forwarding fields'. */
    static final Set<String> OWN_INIT_PARAMETERS = Set.of("adminToken", "adminPath", "purgeMethod", "adminAllow",
            "trustedProxies", "stripRequestHeaders", "forwardedHost");
    /** The init-parameters Jetty's {@code ProxyServlet} 12.1 reads. */
    static final Set<String> JETTY_INIT_PARAMETERS = Set.of("maxThreads", "maxConnections", "idleTimeout", "timeout",
            "requestBufferSize", "responseBufferSize", "maxRequestHeadersSize", "maxResponseHeadersSize", "selectors",
            "preserveHost", "hostHeader", "viaHost", "whiteList", "blackList");

    /** RFC 9110 §9.2.2: methods that may be sent again after a failure. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final transient Routes routes;
    /** Keyed on the client's host only with {@code preserveHost}: set in {@link #init()}. */
    private transient volatile KeyTargets keyTargets = new KeyTargets(false);
    private final transient ProxyEngine engine;
    private final transient BackendReport backendReport;
    private transient volatile HealthChecks healthChecks;
    private final transient OriginTransport transport;
    private final transient OriginTlsFailures tlsFailures;
    /** Which forwarding fields a client may send on; from {@link #forwarding(ClientForwarding)}, else from init-parameters. */
    private transient volatile ClientForwarding forwarding = ClientForwarding.defaults();
    private transient volatile boolean forwardingGiven;
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
        this(Routes.to(BackendPool.of(origin)), engine, transport);
    }

    /**
     * A caching proxy to the pools of these routes.
     *
     * @param routes where requests go; each pool's health and figures belong to this servlet
     * @param engine the engine that decides, usually a {@link CachingEngine}
     */
    public CachingProxyServlet(Routes routes, ProxyEngine engine) {
        this(routes, engine, OriginTransport.DEFAULT);
    }

    /**
     * A caching proxy to the pools of these routes, each backend spoken to as {@code transport} says.
     *
     * @param routes    where requests go
     * @param engine    the engine that decides
     * @param transport the HTTP version and the certificates to trust
     * @throws IllegalArgumentException if a backend does not suit the transport
     */
    public CachingProxyServlet(Routes routes, ProxyEngine engine, OriginTransport transport) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.transport = Objects.requireNonNull(transport, "transport");
        List<BackendPool> pools = routes.pools();
        pools.forEach(pool -> pool.backends().forEach(transport::checkFits));
        // Not origin(): a subclass's override would run before the subclass is initialised.
        this.tlsFailures = new OriginTlsFailures(routes.routes().get(0).pool().keyOrigin());
        this.backendReport = () -> {
            List<BackendStatistics> rows = new ArrayList<>();
            pools.forEach(pool -> rows.addAll(pool.statistics()));
            return rows;
        };
    }

    /**
     * Treats forwarding fields as {@code forwarding} says (trusted proxies, more fields to strip, the
     * forwarded host) instead of the default or the init-parameters, which are then refused. Call it
     * before the servlet is initialised.
     *
     * @param forwarding the forwarding configuration
     * @return this servlet
     */
    public final CachingProxyServlet forwarding(ClientForwarding forwarding) {
        this.forwarding = Objects.requireNonNull(forwarding, "forwarding");
        this.forwardingGiven = true;
        return this;
    }

    /** How forwarding fields are treated, for {@link CachingHandler}. */
    ClientForwarding forwarding() {
        return forwarding;
    }

    /** The engine this servlet asks; {@link CachingHandler} asks the same one. */
    ProxyEngine engine() {
        return engine;
    }

    /** Whether the admin endpoint answers this request, for {@link CachingHandler}, which then leaves it alone. */
    boolean leavesToAdmin(String method, String pathInContext) {
        return admin.claims(method, pathInContext);
    }

    /**
     * The request as the engine sees it (the pool's key origin, the client's path, the route's path
     * rewrite); empty when no route matches it. For {@link CachingHandler}.
     *
     * @throws IllegalArgumentException if the path and query do not make a valid URI
     */
    Optional<RequestHead> requestHead(String method, String scheme, String host, int port, String rawPath, String rawQuery,
                                      HeaderFields fields) {
        return routes.match(host, rawPath, rawQuery)
                .map(match -> keyTargets.request(match, method, fields, scheme, host, port));
    }

    /**
     * The {@code GET} that a purge of this URL, as clients use it, stands for: routed as a client's request
     * for it is (its host among host routes, its path within the servlet's context), with the pool's key
     * origin and the route's path rewrite. Hand it to the engine:
     * {@code engine.purge(servlet.purgeRequest(URI.create("http://shop.example/shop/item")).orElseThrow())},
     * or call {@link #purge(URI)}. Its key is the one a {@code GET} of the URL is stored under, computed
     * by the same function, whatever the route's path rewrite, the backends' path or {@code preserveHost}.
     *
     * @param clientUrl the absolute URL as clients use it
     * @return the request to purge; empty when no route matches the URL
     * @throws IllegalArgumentException if the URL is not absolute with a host, or its path is one a
     *                                  request would be refused for (a dot-segment with {@code ;} parameters)
     */
    public final Optional<RequestHead> purgeRequest(URI clientUrl) {
        Objects.requireNonNull(clientUrl, "clientUrl");
        if (!clientUrl.isAbsolute() || clientUrl.getHost() == null) {
            throw new IllegalArgumentException("a purge needs the absolute URL clients use, got \"" + clientUrl + "\"");
        }
        String path = clientUrl.getRawPath() == null || clientUrl.getRawPath().isEmpty() ? "/" : clientUrl.getRawPath();
        String contextPath = getServletConfig() == null ? "" : getServletContext().getContextPath();
        if (!contextPath.isEmpty() && path.startsWith(contextPath)) {
            path = path.substring(contextPath.length());
        }
        return requestHead("GET", clientUrl.getScheme(), clientUrl.getHost(), clientUrl.getPort(), path, clientUrl.getRawQuery(),
                HeaderFields.empty());
    }

    /**
     * Purges what a {@code GET} of this URL, as clients use it, stored (every variant): routed as such a
     * request is ({@link #purgeRequest}), so that it names the entry whatever the route rewrites. The
     * one-call form for code and for frameworks' admin endpoints; the admin endpoint of the servlet itself
     * purges the same way.
     *
     * @param clientUrl the absolute URL as clients use it, e.g. {@code https://shop.example/shop/item}
     * @return what was purged; no entries when no route matches the URL
     * @throws IllegalArgumentException      if the URL is not absolute with a host, or its path is refused
     * @throws UnsupportedOperationException if the engine cannot purge (it is not a {@link PurgeableEngine})
     */
    public final PurgeResult purge(URI clientUrl) {
        if (!(engine instanceof PurgeableEngine purgeable)) {
            throw new UnsupportedOperationException("the engine " + engine.getClass().getName() + " cannot purge (it is not a PurgeableEngine)");
        }
        Optional<RequestHead> target = purgeRequest(clientUrl);
        return target.isPresent() ? purgeable.purge(target.get()) : new PurgeResult("url " + clientUrl + " (no route)", OptionalLong.of(0));
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

    /** {@return the key origin of the first route's pool: with one origin, its scheme and authority} */
    public URI origin() {
        return routes.routes().get(0).pool().keyOrigin();
    }

    /** {@return where requests go} */
    public Routes routes() {
        return routes;
    }

    /**
     * Jetty's initialisation, then the admin endpoint's ({@code adminToken}, {@code adminPath},
     * {@code purgeMethod}, {@code adminAllow}); starts the pools' health checks and hands their figures
     * to the engine's statistics.
     */
    @Override
    public void init() throws ServletException {
        ServletConfig config = getServletConfig();
        for (String name : Collections.list(config.getInitParameterNames())) {
            if (!OWN_INIT_PARAMETERS.contains(name) && !JETTY_INIT_PARAMETERS.contains(name)) {
                throw new ServletException("servlet " + config.getServletName() + ": unknown init-param \"" + name + "\"; known: "
                        + String.join(", ", new TreeSet<>(OWN_INIT_PARAMETERS)) + ", and Jetty's "
                        + String.join(", ", new TreeSet<>(JETTY_INIT_PARAMETERS)));
            }
        }
        AdminEndpoint configuredAdmin = adminEndpoint();
        try {
            Optional<ClientForwarding> fromParameters = ClientForwarding.fromSettings(config::getInitParameter);
            if (fromParameters.isPresent() && forwardingGiven) {
                throw new IllegalArgumentException("init-params " + ClientForwarding.SETTINGS
                        + " are set, but the servlet was given its forwarding in code");
            }
            fromParameters.ifPresent(configured -> forwarding = configured);
        } catch (IllegalArgumentException badValue) {
            throw new ServletException("bad forwarding configuration: " + badValue.getMessage(), badValue);
        }
        // Jetty's after ours: a bad value of ours fails before its client and threads exist.
        super.init();
        if (transport.trust() instanceof OriginTransport.AnyCertificate) {
            routes.pools().forEach(pool -> pool.backends().stream().filter(backend -> "https".equalsIgnoreCase(backend.getScheme()))
                    .forEach(backend -> _log.warn("INSECURE: the TLS certificate of origin {} is NOT verified: anyone on the "
                            + "path can pose as the origin, and what they send is cached for every client", backend)));
        }
        admin = configuredAdmin;
        if (Boolean.parseBoolean(config.getInitParameter("preserveHost")) && config.getInitParameter("hostHeader") == null) {
            // The backend gets the client's Host and may answer by it (virtual hosts): the host joins the key,
            // or one host's answer would be served for another's.
            keyTargets = new KeyTargets(true);
        }
        if (engine instanceof ObservableEngine observable) {
            observable.addBackendReport(backendReport);
        }
        healthChecks = new HealthChecks(getHttpClient(), routes.pools());
        healthChecks.start();
    }

    private AdminEndpoint adminEndpoint() throws ServletException {
        boolean adminCapable = engine instanceof PurgeableEngine && engine instanceof ObservableEngine;
        String adminToken = getServletConfig().getInitParameter("adminToken");
        if (adminToken == null && !adminCapable) {
            return AdminEndpoint.OFF;
        }
        if (!adminCapable) {
            throw new ServletException("the admin endpoint (init-parameter adminToken) needs an engine that can purge and "
                    + "report statistics (a PurgeableEngine and ObservableEngine such as CachingEngine), got "
                    + engine.getClass().getName());
        }
        try {
            return AdminEndpoint.fromInitParameters((PurgeableEngine & ObservableEngine) engine,
                    getServletConfig()::getInitParameter);
        } catch (IllegalArgumentException badValue) {
            throw new ServletException("bad admin endpoint configuration: " + badValue.getMessage(), badValue);
        }
    }

    /** Stops the health checks and takes the backends out of the engine's statistics, then Jetty's own. */
    @Override
    public void destroy() {
        HealthChecks checks = healthChecks;
        if (checks != null) {
            checks.stop();
        }
        if (engine instanceof ObservableEngine observable) {
            observable.removeBackendReport(backendReport);
        }
        super.destroy();
    }

    /** The running health checks, for tests that check now instead of waiting for the schedule. */
    HealthChecks healthChecks() {
        return healthChecks;
    }

    /** The engine answers from the cache, waits for a collapsed request, or the request goes on to a backend. */
    @Override
    protected final void service(HttpServletRequest clientRequest, HttpServletResponse clientResponse)
            throws ServletException, IOException {
        if (admin.handle(clientRequest, clientResponse, this::purgeTarget)) {
            return;
        }
        Optional<Routes.Match> match;
        try {
            match = route(clientRequest);
        } catch (IllegalArgumentException refusedPath) {
            AnswerWriter.writePlainText(clientResponse, 400, "Bad Request: " + refusedPath.getMessage(), HeaderFields.empty());
            return;
        }
        if (match.isEmpty()) {
            AnswerWriter.writePlainText(clientResponse, 404, "Not Found: no route for this path", HeaderFields.empty());
            return;
        }
        ExchangePlan.OnClientRequest plan;
        if (clientRequest.getAttribute(DECIDED_ATTRIBUTE) instanceof ExchangePlan.OnClientRequest decided) {
            // Used once: a request dispatched again after a Wait asks the engine anew.
            clientRequest.removeAttribute(DECIDED_ATTRIBUTE);
            plan = decided;
        } else {
            RequestHead request;
            try {
                request = keyTargets.request(match.get(), clientRequest.getMethod(),
                        forwarding.inbound(requestFields(clientRequest), clientRequest.getRemoteAddr()),
                        clientRequest.getScheme(), clientRequest.getServerName(), clientRequest.getServerPort());
            } catch (IllegalArgumentException malformed) {
                AnswerWriter.writePlainText(clientResponse, 400, "Bad Request: the request target or a header field is malformed",
                        HeaderFields.empty());
                return;
            }
            plan = CollapsingWait.waited(clientRequest) ? engine.onClientRequestAfterWait(request) : engine.onClientRequest(request);
        }
        if (plan instanceof ExchangePlan.Wait wait) {
            // Request collapsing without holding a thread: dispatched here again once the other request landed.
            CollapsingWait.suspendThenDispatch(clientRequest, wait);
            return;
        }
        if (plan instanceof ExchangePlan.Answer answer) {
            writeAnswer(clientRequest, clientResponse, answer, match.get());
            return;
        }
        clientRequest.setAttribute(EXCHANGE_ATTRIBUTE, new ProxiedExchange((ExchangePlan.ToOrigin) plan, match.get()));
        super.service(clientRequest, clientResponse);
    }

    /** Jetty's client for the origin's protocol ({@link OriginTransport#newHttpClient}). */
    @Override
    @SuppressWarnings("removal") // getTransport(): 12.1 deprecates it for getHttpClientTransport(), which 12.0 lacks
    protected final HttpClient newHttpClient(ClientConnector clientConnector) {
        HttpClient client = transport.newHttpClient(clientConnector);
        if (client.getTransport() instanceof HttpClientTransportOverHTTP http1) {
            Map<String, Integer> limits = new HashMap<>();
            for (BackendPool pool : routes.pools()) {
                for (URI backend : pool.backends()) {
                    limits.merge(destinationName(backend.getScheme(), backend.getHost(), backend.getPort()),
                            pool.maxConnectionsPerBackend(), Math::min);
                }
            }
            // Each backend's own connection limit (HTTP/1.1: a connection per request on its way); anything else gets the client's.
            http1.setConnectionPoolFactory(destination -> new DuplexConnectionPool(destination,
                    limits.getOrDefault(destinationName(destination.getOrigin().getScheme(), destination.getOrigin().getAddress().getHost(),
                            destination.getOrigin().getAddress().getPort()), client.getMaxConnectionsPerDestination())));
        }
        return client;
    }

    /** A connector whose TLS trusts what the transport says, with host names checked unless told not to. */
    @Override
    protected final ClientConnector newClientConnector() {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(transport.sslContextFactory());
        return connector;
    }

    /** Jetty's client, with each backend's connections capped at its pool's limit (nginx's {@code max_conns}). */
    @Override
    protected final HttpClient createHttpClient() throws ServletException {
        HttpClient client = super.createHttpClient();
        InterimResponses.install(client.getProtocolHandlers());
        int queued = client.getMaxRequestsQueuedPerDestination();
        for (BackendPool pool : routes.pools()) {
            queued = Math.max(queued, pool.maxQueuedPerBackend());
        }
        // Destinations are made on first use, after this: each takes its queue's size from here.
        client.setMaxRequestsQueuedPerDestination(queued);
        return client;
    }

    /** A backend of the route's pool, with the request's path and query; null (then a 503) when every backend is busy. */
    @Override
    protected final String rewriteTarget(HttpServletRequest clientRequest) {
        ProxiedExchange exchange = exchange(clientRequest);
        Optional<Backend> backend = exchange.sameBackendAgain() ? Optional.of(exchange.backend())
                : exchange.match.pool().select(exchange.toOrigin.key().value(), exchange.tried());
        if (backend.isEmpty()) {
            return null;
        }
        exchange.chose(backend.get());
        return backend.get().origin + exchange.match.backendPathQuery();
    }

    /** Every backend had its connections and queue full: the engine may serve a stored response, else a 503. */
    @Override
    protected final void onProxyRewriteFailed(HttpServletRequest clientRequest, HttpServletResponse clientResponse) {
        ProxiedExchange exchange = exchange(clientRequest);
        try {
            answerOriginFailure(clientRequest, clientResponse, exchange,
                    new OriginFailure.Unreachable("every backend is at its connection limit"), 503, Optional.empty());
        } catch (IOException clientGone) {
            _log.debug("client went away while a busy pool was reported", clientGone);
        }
    }

    /** The body, read from the client only when a backend's connection asks for it ({@link DeferredRequestContent}). */
    @Override
    protected final Request.Content proxyRequestContent(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                                  Request originRequest) throws IOException {
        ProxiedExchange exchange = exchange(clientRequest);
        return new DeferredRequestContent(() -> super.proxyRequestContent(clientRequest, clientResponse, originRequest),
                clientRequest.getContentLengthLong(), clientRequest.getContentType(), exchange.bodyTouched);
    }

    /** The client's body could not be read: noted, so that the backend is not blamed, then Jetty's answer. */
    @Override
    protected final void onClientRequestFailure(HttpServletRequest clientRequest, Request originRequest, HttpServletResponse clientResponse,
                                          Throwable failure) {
        ProxiedExchange exchange = exchange(clientRequest);
        if (exchange != null) {
            exchange.clientFailed();
        }
        super.onClientRequestFailure(clientRequest, originRequest, clientResponse, failure);
    }

    /**
     * Applies the engine's changes to the origin request's fields, last, after every other hook; counts the
     * request for its backend and notes when it begins to be written; then sends it.
     */
    @Override
    protected final void sendProxyRequest(HttpServletRequest clientRequest, HttpServletResponse clientResponse, Request originRequest) {
        ProxiedExchange exchange = exchange(clientRequest);
        if (!exchange.toOrigin.changesNothing()) {
            originRequest.headers(headers -> exchange.toOrigin.applyTo(headers::remove, headers::add));
        }
        hostAsKeyed(exchange.toOrigin, originRequest);
        originRequest.onRequestBegin(request -> exchange.requestBegan());
        exchange.sent(System.nanoTime());
        exchange.backend().sent();
        exchange.match.pool().requestSent();
        super.sendProxyRequest(clientRequest, clientResponse, originRequest);
    }

    /** The backend request the client's request makes: always the target {@link #rewriteTarget} chose. */
    @Override
    protected final Request newProxyRequest(HttpServletRequest clientRequest, String rewrittenTarget) {
        return super.newProxyRequest(clientRequest, rewrittenTarget);
    }

    /** Jetty's copy of the client's fields, then {@link #addOriginRequestFields}. */
    @Override
    protected final void copyRequestHeaders(HttpServletRequest clientRequest, Request originRequest) {
        super.copyRequestHeaders(clientRequest, originRequest);
        // The forwarding family (unless from a trusted proxy) and the fields configured to strip.
        Set<String> removed = forwarding.removedFrom(clientRequest.getRemoteAddr());
        originRequest.headers(headers -> {
            for (ListIterator<HttpField> fields = headers.listIterator(); fields.hasNext(); ) {
                if (removed.contains(fields.next().getLowerCaseName())) {
                    fields.remove();
                }
            }
        });
        originRequest.headers(fields -> addOriginRequestFields(clientRequest, fields));
    }

    /**
     * Jetty's {@code Forwarded} element (appended to a trusted proxy's, else the only one), with a host the
     * proxy vouches for instead of the client's {@code Host}, then the proxy's own {@code X-Forwarded-For},
     * {@code -Proto} and {@code -Host}.
     */
    @Override
    protected final void addForwardedHeader(HttpServletRequest clientRequest, Request originRequest) {
        String localAuthority = KeyTargets.authority(clientRequest.getLocalAddr(), clientRequest.getLocalPort());
        String vouchedHost = forwarding.forwardedHost(localAuthority);
        super.addForwardedHeader(new HttpServletRequestWrapper(clientRequest) {
            @Override
            public String getHeader(String name) {
                return "Host".equalsIgnoreCase(name) ? vouchedHost : super.getHeader(name);
            }
        }, originRequest);
        addOwnForwardingFields(clientRequest, originRequest, localAuthority);
    }

    /**
     * Jetty 12.0 calls this where 12.1 calls {@link #addForwardedHeader} (which 12.0 does not have; its own
     * version would forward the client's {@code Host} as {@code X-Forwarded-Host}): the same fields as on
     * 12.1, a {@code Forwarded} element like 12.1's with the vouched-for host, then the proxy's own
     * {@code X-Forwarded-*}. Never called on Jetty 12.1.
     *
     * @param clientRequest the client's request
     * @param originRequest the request to the origin, whose fields get the forwarding fields
     */
    protected final void addXForwardedHeaders(HttpServletRequest clientRequest, Request originRequest) {
        String localAuthority = KeyTargets.authority(clientRequest.getLocalAddr(), clientRequest.getLocalPort());
        String element = "by=%s;for=%s;host=%s;proto=%s".formatted(
                HttpField.PARAMETER_TOKENIZER.quote(clientRequest.getLocalAddr()),
                HttpField.PARAMETER_TOKENIZER.quote(clientRequest.getRemoteAddr()),
                HttpField.PARAMETER_TOKENIZER.quote(forwarding.forwardedHost(localAuthority)),
                clientRequest.isSecure() ? "https" : "http");
        // Appended to a trusted proxy's elements (the others were stripped in copyRequestHeaders), as 12.1 does.
        originRequest.headers(headers -> headers.computeField(HttpHeader.FORWARDED, (header, present) ->
                present == null || present.isEmpty() ? new HttpField(header, element)
                        : new HttpField(header, present.stream().map(HttpField::getValue).collect(Collectors.joining(", ")) + ", " + element)));
        addOwnForwardingFields(clientRequest, originRequest, localAuthority);
    }

    private void addOwnForwardingFields(HttpServletRequest clientRequest, Request originRequest, String localAuthority) {
        HeaderFields inbound = forwarding.inbound(FromJetty.fields(originRequest.getHeaders()), clientRequest.getRemoteAddr());
        HeaderFields own = forwarding.proxyFields(inbound, clientRequest.getRemoteAddr(), clientRequest.isSecure(), localAuthority);
        originRequest.headers(headers -> own.lines().forEach(line -> headers.put(line.name(), line.value())));
    }

    /**
     * Hook: adds or changes fields of the request to the origin, e.g. credentials the origin needs or a
     * tracing field; default none. The engine's own changes (the validators of a revalidation) are
     * applied after it, so a validation stays one whatever this does. A field that changes the origin's
     * response for one client must be in the response's {@code Vary}, or every client gets that response.
     * With {@code preserveHost}, {@code Host} is set after it to the host the response is keyed on.
     *
     * @param clientRequest the client's request
     * @param originFields  the fields going to the origin, to change
     */
    protected void addOriginRequestFields(HttpServletRequest clientRequest, HttpFields.Mutable originFields) {
    }

    /** Not used: {@link #onServerResponseHeaders} writes the head the engine decided. */
    @Override
    protected final HttpField filterServerResponseHeader(HttpServletRequest clientRequest, Response originResponse, HttpField field) {
        return super.filterServerResponseHeader(clientRequest, originResponse, field);
    }

    @Override
    protected final void onServerResponseHeaders(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                           Response originResponse) {
        ProxiedExchange exchange = exchange(clientRequest);
        exchange.responseBegan();
        exchange.backend().responded(originResponse.getStatus(), System.nanoTime() - exchange.sentNanos());
        if (mayGoElsewhereAfter(originResponse.getStatus(), clientRequest, clientResponse, exchange)) {
            // Nothing of this answer reaches the engine or the client: the request goes to another backend instead.
            originResponse.abort(new SentElsewhere(originResponse.getStatus()));
            return;
        }
        Optional<ResponseHead> head = FromJetty.headOrAbort(originResponse);
        if (head.isEmpty()) {
            return;
        }
        ExchangePlan.OnOriginResponse plan = engine.onOriginResponse(exchange.toOrigin, head.get());
        if (plan instanceof ExchangePlan.Relay relay) {
            exchange.relaying(relay.capture());
            AnswerWriter.writeHead(clientResponse, relay.response());
        } else {
            // The origin's answer (a 304) has no body; the stored one is written once it has ended.
            ExchangePlan.Answer answer = (ExchangePlan.Answer) plan;
            exchange.answering(answer);
            AnswerWriter.writeHead(clientResponse, answer.response());
        }
    }

    @Override
    protected final void onResponseContent(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
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
        Callback relayed = Callback.from(callback::succeeded, clientFailure -> {
            if (exchange.capture().isCapturing()) {
                // The client went away, but the body is on its way into the store: keep reading it
                // (at most the maximum object size) so the entry being filled is not lost.
                exchange.clientWentAway();
                callback.succeeded();
            } else {
                // Jetty's callback aborts the origin's response: nothing more is read for a client that left.
                callback.failed(clientFailure);
            }
        });
        try {
            // Not Jetty's StreamWriter: that one aborts the origin's response when the client fails, entry and all.
            ClientBodyWriter.of(clientRequest, clientResponse).write(output -> output.write(buffer, offset, length), relayed);
        } catch (IOException | RuntimeException cannotWrite) {
            relayed.failed(cannotWrite);
        }
    }

    @Override
    protected final void onProxyResponseSuccess(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                          Response originResponse) {
        ProxiedExchange exchange = exchange(clientRequest);
        exchange.backend().finished();
        exchange.capture().complete();
        Optional<ExchangePlan.Answer> answer = exchange.answerAfterOrigin();
        if (answer.isEmpty()) {
            super.onProxyResponseSuccess(clientRequest, clientResponse, originResponse);
            return;
        }
        // The stored response the origin's 304 validated; the exchange completes once the client has it.
        writeBody(clientRequest, clientResponse, answer.get().body(),
                () -> super.onProxyResponseSuccess(clientRequest, clientResponse, originResponse));
    }

    @Override
    protected final void onProxyResponseFailure(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                          Response originResponse, Throwable attemptFailure) {
        ProxiedExchange exchange = exchange(clientRequest);
        Backend backend = exchange.backend();
        backend.finished();
        String attemptProblem = FromJetty.problem(attemptFailure);
        // Only a failure before the backend's response head is the backend's: after it (the head counted
        // already), or when the client's side failed, a client going away must not eject a backend.
        if (!exchange.responseBegun() && !exchange.clientHasFailed()) {
            backend.failed(attemptProblem, System.nanoTime() - exchange.sentNanos());
        }
        boolean sentElsewhere = attemptFailure instanceof SentElsewhere;
        if (!clientResponse.isCommitted() && (sentElsewhere || mayGoAgain(clientRequest, exchange, attemptFailure))
                && sendAgain(clientRequest, clientResponse, exchange)) {
            _log.debug("{} to {} failed ({}); sent to {} instead", clientRequest.getMethod(), backend, attemptProblem, exchange.backend());
            return;
        }
        // A backend's answer dropped for another's that could not be had after all: every other backend is busy.
        Throwable failure = sentElsewhere ? new RejectedExecutionException("every other backend is at its connection limit") : attemptFailure;
        String problem = FromJetty.problem(failure);
        exchange.capture().abandon(problem);
        if (clientResponse.isCommitted()) {
            // Part of the body is on its way: the client must see an aborted response, not a short one.
            super.onProxyResponseFailure(clientRequest, clientResponse, originResponse, failure);
            return;
        }
        clientResponse.reset();
        // A TLS failure is named without the JDK's text, which carries the origin's address; that goes to the log.
        Optional<String> tlsReason = tlsFailures.describe(failure);
        OriginFailure originFailure = tlsReason.<OriginFailure>map(OriginFailure.Unreachable::new)
                .orElseGet(() -> FromJetty.originFailure(failure));
        try {
            answerOriginFailure(clientRequest, clientResponse, exchange, originFailure,
                    failure instanceof RejectedExecutionException ? 503 : 0, tlsReason);
        } catch (IOException clientGone) {
            _log.debug("client went away while the origin failure was reported", clientGone);
        }
    }

    /**
     * Whether a failed attempt may go again: never once the response began, nor after any of the body was
     * read, nor after a timeout (the client has waited long enough), nor more than once. A request that
     * had not begun to be written (connection refused, queue full) may go to another backend; one that
     * had, only if it is idempotent and the pool's retry budget allows, to another backend, or to the
     * same one on a new connection when there is no other (a pool of one whose kept-alive connection the
     * backend had closed as the request went out, which nginx also sends again).
     */
    private boolean mayGoAgain(HttpServletRequest clientRequest, ProxiedExchange exchange, Throwable failure) {
        if (exchange.tried().size() >= 2 || exchange.responseBegun() || exchange.bodyTouched.get() || exchange.clientHasFailed()
                || failure instanceof TimeoutException || hasContent(clientRequest) && expects100Continue(clientRequest)) {
            return false;
        }
        if (!exchange.requestBegun()) {
            return true;
        }
        if (!IDEMPOTENT.contains(clientRequest.getMethod()) || !exchange.match.pool().tryRetry()) {
            return false;
        }
        if (!exchange.match.pool().hasUntried(exchange.tried())) {
            exchange.againOnSameBackend();
        }
        return true;
    }

    /**
     * Whether a backend's answer with this status may be dropped for another backend's
     * ({@link BackendPool#retriedStatuses()}): an idempotent request whose body was never read, tried
     * once, with nothing sent to the client yet, another backend left and the retry budget allowing.
     */
    private static boolean mayGoElsewhereAfter(int status, HttpServletRequest clientRequest, HttpServletResponse clientResponse,
                                               ProxiedExchange exchange) {
        BackendPool pool = exchange.match.pool();
        return pool.retriedStatuses().retries(status) && IDEMPOTENT.contains(clientRequest.getMethod())
                && exchange.tried().size() < 2 && !exchange.bodyTouched.get() && !exchange.clientHasFailed()
                && !clientResponse.isCommitted() && pool.hasUntried(exchange.tried()) && pool.tryRetry();
    }

    /** Ends a backend's exchange whose answer (a status {@link RetriedStatuses} names) is replaced by another backend's. */
    private static final class SentElsewhere extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SentElsewhere(int status) {
            super("answered " + status + "; the request goes to another backend", null, false, false);
        }
    }

    /** Sends the request again, as {@link ProxyServlet#service} first did, to a backend not yet tried; false when there is none. */
    private boolean sendAgain(HttpServletRequest clientRequest, HttpServletResponse clientResponse, ProxiedExchange exchange) {
        String target = rewriteTarget(clientRequest);
        if (target == null) {
            return false;
        }
        try {
            Request originRequest = newProxyRequest(clientRequest, target);
            copyRequestHeaders(clientRequest, originRequest);
            addProxyHeaders(clientRequest, originRequest);
            originRequest.timeout(getTimeout(), TimeUnit.MILLISECONDS);
            if (hasContent(clientRequest)) {
                originRequest.body(proxyRequestContent(clientRequest, clientResponse, originRequest));
            }
            sendProxyRequest(clientRequest, clientResponse, originRequest);
            return true;
        } catch (IOException | RuntimeException cannotSend) {
            _log.debug("could not send the request again", cannotSend);
            return false;
        }
    }

    /**
     * The engine's answer to an origin failure: a stored response where the cache rules allow one
     * ({@code stale-if-error}), else the failure as plain text, with {@code busyStatus} instead of the
     * engine's status when it is not 0. The engine's phrase is fixed per kind of failure; a refused origin
     * certificate has fixed phrases of its own ({@code tlsReason}: expired, not trusted, wrong name). A
     * request in async mode is completed once the answer is written.
     */
    private void answerOriginFailure(HttpServletRequest clientRequest, HttpServletResponse clientResponse, ProxiedExchange exchange,
                                     OriginFailure failure, int busyStatus, Optional<String> tlsReason) throws IOException {
        ExchangePlan.OnOriginFailure plan = engine.onOriginFailure(exchange.toOrigin, failure);
        if (plan instanceof ExchangePlan.Answer answer) {
            writeAnswer(clientRequest, clientResponse, answer, exchange.match);
            return;
        }
        try {
            ExchangePlan.Fail fail = (ExchangePlan.Fail) plan;
            if (busyStatus != 0 && fail.status() == 502) {
                AnswerWriter.writePlainText(clientResponse, busyStatus, "Service Unavailable: every backend is busy; try again later",
                        HeaderFields.builder().add("Cache-Status", fail.cacheStatus().toHeaderValue()).add("Retry-After", "1").build());
            } else if (tlsReason.isPresent() && fail.status() == 502) {
                AnswerWriter.writePlainText(clientResponse, 502, "Bad Gateway: " + tlsReason.get(),
                        HeaderFields.of("Cache-Status", fail.cacheStatus().toHeaderValue()));
            } else {
                AnswerWriter.writeFail(clientResponse, fail);
            }
        } finally {
            if (clientRequest.isAsyncStarted()) {
                clientRequest.getAsyncContext().complete();
            }
        }
    }

    private Optional<Routes.Match> route(HttpServletRequest clientRequest) {
        return routes.match(clientRequest.getServerName(),
                clientRequest.getRequestURI().substring(clientRequest.getContextPath().length()), clientRequest.getQueryString());
    }

    /** The {@code GET} whose responses a purge of this request's URL removes: routed as a client's request is. */
    private RequestHead purgeTarget(HttpServletRequest clientRequest) {
        return requestHead("GET", clientRequest.getScheme(), clientRequest.getServerName(), clientRequest.getServerPort(),
                clientRequest.getRequestURI().substring(clientRequest.getContextPath().length()), clientRequest.getQueryString(),
                HeaderFields.empty()).orElseThrow(() -> new IllegalArgumentException("no route for this path"));
    }

    /**
     * With {@code preserveHost}, the backend's {@code Host} is the authority of the URI the request is
     * keyed on, set last: whatever {@code Host} the client sent beside another {@code :authority} or
     * absolute target, and whatever a request normaliser or {@link #addOriginRequestFields} made of it,
     * the backend answers for the host its response is stored under.
     */
    private void hostAsKeyed(ExchangePlan.ToOrigin plan, Request originRequest) {
        if (keyTargets.keyedOnClientHost()) {
            String keyedAuthority = plan.clientRequest().uri().getRawAuthority();
            originRequest.headers(headers -> headers.put(HttpHeader.HOST, keyedAuthority));
        }
    }

    /**
     * The client's fields as the origin gets them: without the hop-by-hop fields and those its
     * {@code Connection} names, which Jetty does not forward. The cache keys, matches {@code Vary} and
     * normalises on these, so that a field the origin never saw cannot label its response.
     */
    private static HeaderFields requestFields(HttpServletRequest clientRequest) {
        HeaderFields.Builder fields = HeaderFields.builder();
        for (Enumeration<String> names = clientRequest.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = clientRequest.getHeaders(name); values.hasMoreElements(); ) {
                fields.add(name, values.nextElement());
            }
        }
        return HopByHopFields.removeFrom(fields.build());
    }

    /**
     * Writes an answer of the engine's (a hit, a stale response on an origin failure); a request in async
     * mode, or put in it to write a large body, is completed once the client has the answer.
     */
    private void writeAnswer(HttpServletRequest clientRequest, HttpServletResponse clientResponse, ExchangePlan.Answer answer,
                             Routes.Match match) throws IOException {
        try {
            AnswerWriter.writeHead(clientResponse, answer.response());
            boolean async = clientRequest.isAsyncStarted();
            writeBody(clientRequest, clientResponse, answer.body(), () -> {
                if (async || clientRequest.isAsyncStarted()) {
                    clientRequest.getAsyncContext().complete();
                }
            });
        } finally {
            // Sent or declined, whatever became of the client: the engine keeps one refresh per variant until told.
            answer.refresh().ifPresent(refresh -> sendOrDecline(clientRequest, refresh, match));
        }
    }

    /**
     * Writes a stored body (none for {@code HEAD}), then runs {@code then}, whatever became of the client.
     * A body that fits the response buffer is copied into it: that never blocks. A larger one is written
     * without blocking a thread (the request is put in async mode if it is not): a slow client must not
     * hold a pool thread for as long as it takes to read a large hit.
     */
    private void writeBody(HttpServletRequest clientRequest, HttpServletResponse clientResponse, Body body, Runnable then) {
        if (isHead(clientRequest) || body.size() < clientResponse.getBufferSize()) {
            try {
                AnswerWriter.writeBody(clientResponse, body, isHead(clientRequest));
            } catch (IOException clientGone) {
                _log.debug("client went away while a stored response was written", clientGone);
            } finally {
                then.run();
            }
            return;
        }
        try {
            if (!clientRequest.isAsyncStarted()) {
                // No async timeout: the connector's idle timeout ends a client that stops reading.
                AsyncContext async = clientRequest.startAsync();
                async.setTimeout(0);
            }
            ClientBodyWriter.of(clientRequest, clientResponse).write(body::writeTo, Callback.from(then, clientGone -> {
                _log.debug("client went away while a stored response was written", clientGone);
                then.run();
            }));
        } catch (IOException | RuntimeException cannotWrite) {
            _log.debug("a stored response could not be written", cannotWrite);
            then.run();
        }
    }

    private void sendOrDecline(HttpServletRequest clientRequest, ExchangePlan.ToOrigin refresh, Routes.Match match) {
        Optional<Backend> backend = match.pool().select(refresh.key().value(), List.of());
        if (backend.isEmpty()) {
            engine.onRefreshDeclined(refresh); // no backend to ask now: a later request offers it again
            return;
        }
        try {
            // Built as a foreground request to the backend is: Jetty's copy of the client's fields, the
            // forwarding family and the hooks, then the engine's changes (the validators) on top.
            Request originRequest = newProxyRequest(clientRequest, backend.get().origin + match.backendPathQuery()).method(HttpMethod.GET);
            copyRequestHeaders(clientRequest, originRequest);
            addProxyHeaders(clientRequest, originRequest);
            originRequest.headers(headers -> refresh.applyTo(headers::remove, headers::add));
            hostAsKeyed(refresh, originRequest);
            if (getTimeout() > 0) {
                originRequest.timeout(getTimeout(), TimeUnit.MILLISECONDS);
            }
            BackgroundRefresh.send(originRequest, engine, refresh, backend.get());
        } catch (RuntimeException notSent) {
            engine.onRefreshDeclined(refresh);
            throw notSent;
        }
    }

    private static boolean isHead(HttpServletRequest clientRequest) {
        return "HEAD".equals(clientRequest.getMethod());
    }

    private static String destinationName(String scheme, String host, int port) {
        String lowerScheme = scheme.toLowerCase(Locale.ROOT);
        int effectivePort = port > 0 ? port : lowerScheme.equals("https") ? 443 : 80;
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return lowerScheme + "://" + bareHost.toLowerCase(Locale.ROOT) + ":" + effectivePort;
    }

    private static ProxiedExchange exchange(HttpServletRequest clientRequest) {
        return (ProxiedExchange) clientRequest.getAttribute(EXCHANGE_ATTRIBUTE);
    }

}
