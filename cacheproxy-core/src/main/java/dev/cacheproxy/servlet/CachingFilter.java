package dev.cacheproxy.servlet;

import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.RequestNormalizer;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.ClientForwarding;
import dev.cacheproxy.core.RouteRules;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RFC 9111 shared cache in front of the servlets it is mapped to: the same {@link ProxyEngine},
 * policy and store as the caching proxy servlet, with the filter chain standing for the origin.
 *
 * <p>A hit is answered without calling the chain. Otherwise the chain runs with the engine's
 * validators added to the request; the response is held back until it commits, exactly as the
 * container's buffer would hold it, so the engine decides on the head the servlet set (cookies the
 * container added included), then the body streams to the client and into the store. Responses from
 * {@code getWriter()}, {@code getOutputStream()} and async servlets that end with
 * {@code AsyncContext.complete()} are stored byte for byte. A response the filter cannot see whole
 * ({@code sendError}, {@code sendRedirect}, a reset after commit, non-blocking writes, an async
 * dispatch, a failure) is passed through and not stored. Only {@code REQUEST} dispatches are cached;
 * any other dispatch passes through untouched.
 *
 * <p>Privacy: a response that sets a cookie is not stored (a policy built with
 * {@code Rfc9111Policy.builder().storeResponsesThatSetCookies(true)} stores a shared one without its
 * cookies); a {@code private} one, and one to a request with {@code Authorization} or an authenticated
 * principal are not stored unless the response says it may be shared, and a response to a request with
 * {@code Cookie} or a principal gets no heuristic freshness. A cookie reaches only the client it was set for.
 *
 * <p>Configure it with {@link #builder()}, with {@link #CachingFilter(ProxyEngine)}, or with the
 * no-argument constructor and these init-params (all optional):
 * <ul>
 *   <li>{@value #CACHE_NAME}: the name in {@code Cache-Status}, default {@code cacheproxy}</li>
 *   <li>{@value #MAX_OBJECT_SIZE}: the largest body stored, in bytes, default 8 MiB</li>
 *   <li>{@value #POLICY_CLASS}: a {@link CachePolicy} class with a public no-arg constructor or one
 *       public static no-arg factory method, default RFC 9111's shared-cache policy</li>
 *   <li>{@value #KEY_FUNCTION_CLASS}: a {@link CacheKeyFunction} class, made the same way, default the
 *       normalised target URI</li>
 *   <li>{@value #REQUEST_NORMALIZER_CLASS}: a {@link RequestNormalizer} class, made the same way, default none</li>
 *   <li>{@value #REMEMBER_MISSES_SECONDS}: how long a miss is remembered at most, default 120; 0 turns it off</li>
 *   <li>{@value #STORE_CLASS}: a {@link CacheStore} class, made the same way, default an in-memory
 *       Ehcache store sized by {@value #HEAP_MEGABYTES} (default 32), or {@value #HEAP_ENTRIES} for a heap
 *       tier counted in entries instead, and {@value #OFF_HEAP_MEGABYTES} (default 64, or a quarter of the
 *       JVM's direct memory when less)</li>
 * </ul>
 *
 * <p>Thread safe, like any filter. A {@code Wait} from the engine (request collapsing) is waited out on
 * the request's thread, for at most the engine's timeout: the filter is mapped to {@code REQUEST}
 * dispatches only, so it could not resume an async wait.
 */
public final class CachingFilter implements Filter {

    /** Init-param: the cache's name in {@code Cache-Status}. */
    public static final String CACHE_NAME = "cache-name";
    /** Init-param: the largest body stored, in bytes. */
    public static final String MAX_OBJECT_SIZE = "max-object-size";
    /** Init-param: the {@link CachePolicy} class to use. */
    public static final String POLICY_CLASS = "policy-class";
    /** Init-param: the {@link CacheStore} class to use. */
    public static final String STORE_CLASS = "store-class";
    /** Init-param: a {@link CacheKeyFunction} class, made as the policy class is (e.g. one returning {@code CacheKeys}). */
    public static final String KEY_FUNCTION_CLASS = "key-function-class";
    /** Init-param: a {@link RequestNormalizer} class, made as the policy class is. */
    public static final String REQUEST_NORMALIZER_CLASS = "request-normalizer-class";
    /** Init-param: how many seconds a miss is remembered at most; 0 turns remembered misses off. */
    public static final String REMEMBER_MISSES_SECONDS = "remember-misses-seconds";
    /** Init-param: mebibytes of the heap tier of the default store. */
    public static final String HEAP_MEGABYTES = "heap-megabytes";
    /** Init-param: the heap tier of the default store counted in entries instead of bytes (as before 0.1's byte-sized tier). */
    public static final String HEAP_ENTRIES = "heap-entries";
    /** Init-param: mebibytes of the off-heap tier of the default store. */
    public static final String OFF_HEAP_MEGABYTES = "off-heap-megabytes";

    /**
     * The servlet-context attribute, followed by {@code .} and the filter's name, under which
     * {@link #init} publishes the filter's engine: how an application whose filter {@code web.xml} made
     * finds the engine for statistics, Micrometer or purges, e.g.
     * {@code (CachingEngine) context.getAttribute(CachingFilter.ENGINE_ATTRIBUTE + ".cacheproxy")}.
     */
    public static final String ENGINE_ATTRIBUTE = CachingFilter.class.getName() + ".engine";

    private static final Logger LOG = LoggerFactory.getLogger(CachingFilter.class);
    /** Marks a request the filter already handles, so that a second mapping of it does nothing. */
    private static final String HANDLED_ATTRIBUTE = CachingFilter.class.getName() + ".handled";

    /** Init-param: proxies in front whose forwarding fields the servlet may see (addresses and CIDR blocks). */
    public static final String TRUSTED_PROXIES = "trusted-proxies";
    /** Init-param: more request fields the servlet never sees. */
    public static final String STRIP_REQUEST_HEADERS = "strip-request-headers";

    private volatile ProxyEngine engine;
    private volatile boolean ownsEngine;
    private volatile ClientForwarding forwarding = ClientForwarding.defaults();

    /** A filter configured by its init-params in {@link #init(FilterConfig)}, as {@code web.xml} makes it. */
    public CachingFilter() {
    }

    /**
     * A filter that asks this engine; the engine stays the caller's to close.
     *
     * @param engine the engine to ask for every request
     */
    public CachingFilter(ProxyEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** {@return a builder for a filter with its own {@link CachingEngine}} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds the engine from the init-params, unless the filter was given one.
     *
     * @throws ServletException if an init-param is unknown or its value is invalid, or if init-params
     *                          are set for a filter that was given its engine
     */
    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        InitParameters parameters = new InitParameters(filterConfig);
        Optional<ClientForwarding> configured = parameters.forwarding();
        if (configured.isPresent()) {
            forwarding = configured.get();
        }
        if (engine != null) {
            List<String> ignored = parameters.namesSet();
            ignored.removeAll(List.of(TRUSTED_PROXIES, STRIP_REQUEST_HEADERS));
            if (!ignored.isEmpty()) {
                throw new ServletException("filter " + filterConfig.getFilterName() + " was given its engine in code;"
                        + " its init-params " + ignored + " would be ignored");
            }
        } else {
            engine = parameters.engine();
            ownsEngine = true;
        }
        filterConfig.getServletContext().setAttribute(ENGINE_ATTRIBUTE + "." + filterConfig.getFilterName(), engine);
    }

    /**
     * The engine this filter asks: the one it was given or built, or the one its init-params made, for
     * statistics ({@code CacheproxyMetrics}), purges and the admin endpoint.
     *
     * @return the engine
     * @throws IllegalStateException before {@link #init} for a filter configured by init-params
     */
    public ProxyEngine engine() {
        ProxyEngine current = engine;
        if (current == null) {
            throw new IllegalStateException("CachingFilter was not initialised: its engine is made from init-params in init(FilterConfig)");
        }
        return current;
    }

    /**
     * The engine as a {@link CachingEngine}, which it is unless the filter was given another {@link ProxyEngine}.
     *
     * @return the engine, or empty when it is another kind
     */
    public Optional<CachingEngine> cachingEngine() {
        return engine() instanceof CachingEngine caching ? Optional.of(caching) : Optional.empty();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest clientRequest) || !(response instanceof HttpServletResponse clientResponse)
                || clientRequest.getDispatcherType() != DispatcherType.REQUEST
                || clientRequest.getAttribute(HANDLED_ATTRIBUTE) != null) {
            chain.doFilter(request, response);
            return;
        }
        ProxyEngine current = engine;
        if (current == null) {
            throw new IllegalStateException("CachingFilter was not initialised: the container calls init(FilterConfig) first");
        }
        ClientForwarding clientForwarding = forwarding;
        Optional<RequestHead> head = ClientRequests.read(clientRequest, clientForwarding);
        if (head.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        clientRequest.setAttribute(HANDLED_ATTRIBUTE, Boolean.TRUE);
        ExchangePlan.OnClientRequest plan = current.onClientRequest(head.get());
        if (plan instanceof ExchangePlan.Wait wait) {
            plan = CollapsingWait.blockThenAsk(current, head.get(), wait);
        }
        if (plan instanceof ExchangePlan.Answer answer && answer.refresh().isPresent() && head.get().isMethod("GET")) {
            // A filter cannot run the chain without a client, so this client waits for the revalidation
            // instead (a foreground one), seeing the application's fields as the refresh sends them.
            ExchangePlan.ToOrigin refresh = inTheForeground(answer.refresh().get());
            Set<String> hidden = new HashSet<>(clientForwarding.removedFrom(clientRequest.getRemoteAddr()));
            for (String name : head.get().headers().names()) {
                if (!refresh.clientRequest().headers().contains(name)) {
                    hidden.add(name.toLowerCase(Locale.ROOT)); // its own conditions and range
                }
            }
            forward(clientRequest, clientResponse, chain, current, refresh, hidden);
        } else if (plan instanceof ExchangePlan.Answer answer) {
            // A HEAD cannot carry the GET a refresh is: the stale answer, and the refresh is left to a later request.
            try {
                AnswerWriter.writeAnswer(clientResponse, answer, head.get().isMethod("HEAD"));
            } finally {
                answer.refresh().ifPresent(current::onRefreshDeclined);
            }
        } else if (plan instanceof ExchangePlan.ToOrigin toOrigin) {
            forward(clientRequest, clientResponse, chain, current, toOrigin,
                    clientForwarding.removedFrom(clientRequest.getRemoteAddr()));
        } else {
            chain.doFilter(request, response);
        }
    }

    /** The engine's background refresh, run while the client waits, with a {@code Cache-Status} that says so. */
    private static ExchangePlan.ToOrigin inTheForeground(ExchangePlan.ToOrigin refresh) {
        return new ExchangePlan.ToOrigin(refresh.clientRequest(), refresh.key(), refresh.setFields(), refresh.removeFields(),
                refresh.validating(), refresh.requestTime(),
                refresh.cacheStatus().withDetail("revalidation (stale-while-revalidate, while the client waits)"));
    }

    /** Closes the engine if the filter made it. */
    @Override
    public void destroy() {
        ProxyEngine current = engine;
        if (ownsEngine && current instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception closeFailure) {
                LOG.warn("the cache engine did not close cleanly", closeFailure);
            }
        }
    }

    private static void forward(HttpServletRequest clientRequest, HttpServletResponse clientResponse, FilterChain chain,
                                ProxyEngine engine, ExchangePlan.ToOrigin toOrigin, Set<String> strippedNames)
            throws IOException, ServletException {
        ResponseRelay relay = new ResponseRelay(engine, toOrigin, clientRequest, clientResponse);
        CapturingResponse capturingResponse = new CapturingResponse(clientResponse, relay);
        ToOriginRequest originRequest = new ToOriginRequest(clientRequest, toOrigin, capturingResponse, relay, strippedNames);
        try {
            chain.doFilter(originRequest, capturingResponse);
        } catch (IOException | ServletException | RuntimeException | Error failure) {
            if (relay.answerFailure(failure)) {
                LOG.warn("{} {} failed; answered from the cache instead: {}", clientRequest.getMethod(),
                        clientRequest.getRequestURI(), ResponseRelay.describe(failure));
                return;
            }
            throw failure;
        }
        if (originRequest.asyncStartedHere()) {
            return; // the body ends with AsyncContext.complete() or the AsyncCompletion listener
        }
        if (clientRequest.isAsyncStarted()) {
            relay.passThrough("asynchronous processing was started around the filter");
            return;
        }
        relay.finish();
    }

    /** Configures a {@link CachingFilter} with an engine of its own, or with a given engine. Not thread safe. */
    public static final class Builder {
        private final CachingEngine.Builder engineBuilder = CachingEngine.builder();
        private ProxyEngine engine;
        private boolean engineSettings;
        private ClientForwarding forwarding = ClientForwarding.defaults();

        /**
         * Which forwarding fields ({@code X-Forwarded-*}, {@code Forwarded}...) the servlet sees: by default
         * none, from any client; from a trusted proxy, theirs. With an engine or without.
         *
         * @param forwarding the forwarding configuration
         * @return this builder
         */
        public Builder forwarding(ClientForwarding forwarding) {
            this.forwarding = Objects.requireNonNull(forwarding, "forwarding");
            return this;
        }

        /**
         * Whether {@code TRACE} reaches the servlet; default false (answered 501).
         *
         * @param allow {@code true} to let it through
         * @return this builder
         */
        public Builder allowTrace(boolean allow) {
            engineBuilder.allowTrace(allow);
            engineSettings = true;
            return this;
        }

        private Builder() {
        }

        /**
         * Use this engine rather than build one; it stays the caller's to close. Excludes the other settings.
         *
         * @param engine the engine
         * @return this builder
         */
        public Builder engine(ProxyEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * What may be stored and reused; default RFC 9111's shared-cache policy.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder policy(CachePolicy policy) {
            engineBuilder.policy(policy);
            engineSettings = true;
            return this;
        }

        /**
         * Where responses are kept; default an in-memory Ehcache store. Closed with the filter.
         *
         * @param store the store
         * @return this builder
         */
        public Builder store(CacheStore store) {
            engineBuilder.store(store);
            engineSettings = true;
            return this;
        }

        /**
         * The name in {@code Cache-Status}; default {@code cacheproxy}.
         *
         * @param cacheName the name, an RFC 9110 token
         * @return this builder
         */
        public Builder cacheName(String cacheName) {
            engineBuilder.cacheName(cacheName);
            engineSettings = true;
            return this;
        }

        /**
         * The largest body stored, in bytes; default 8 MiB.
         *
         * @param bytes the limit, at least 1
         * @return this builder
         */
        public Builder maxObjectSize(long bytes) {
            engineBuilder.maxObjectSize(bytes);
            engineSettings = true;
            return this;
        }

        /**
         * How the cache key is computed from a request; see {@link CachingEngine.Builder#cacheKeys}.
         *
         * @param keys how the cache key is computed from a request
         * @return this builder
         */
        public Builder cacheKeys(CacheKeyFunction keys) {
            engineBuilder.cacheKeys(keys);
            engineSettings = true;
            return this;
        }

        /**
         * Whether {@code Cache-Status} shows the cache key, for debugging; see {@link CachingEngine.Builder#showKeyInCacheStatus}.
         *
         * @param show whether {@code Cache-Status} shows the cache key, for debugging
         * @return this builder
         */
        public Builder showKeyInCacheStatus(boolean show) {
            engineBuilder.showKeyInCacheStatus(show);
            engineSettings = true;
            return this;
        }

        /**
         * Per-route rules by path pattern and method; see {@link CachingEngine.Builder#routes}.
         *
         * @param routes per-route rules by path pattern and method
         * @return this builder
         */
        public Builder routes(RouteRules routes) {
            engineBuilder.routes(routes);
            engineSettings = true;
            return this;
        }

        /**
         * Rewrites request fields before lookup and before the servlet sees them; see {@link CachingEngine.Builder#normalizeRequests}.
         *
         * @param normalizer rewrites request fields before lookup and before the servlet sees them
         * @return this builder
         */
        public Builder normalizeRequests(RequestNormalizer normalizer) {
            engineBuilder.normalizeRequests(normalizer);
            engineSettings = true;
            return this;
        }

        /**
         * How long a miss is remembered at most (zero: never); see {@link CachingEngine.Builder#rememberMissesFor}.
         *
         * @param longest how long a miss is remembered at most (zero: never)
         * @return this builder
         */
        public Builder rememberMissesFor(Duration longest) {
            engineBuilder.rememberMissesFor(longest);
            engineSettings = true;
            return this;
        }

        /**
         * How many keys' misses are remembered at most; see {@link CachingEngine.Builder#rememberedMissesLimit}.
         *
         * @param keys how many keys' misses are remembered at most
         * @return this builder
         */
        public Builder rememberedMissesLimit(int keys) {
            engineBuilder.rememberedMissesLimit(keys);
            engineSettings = true;
            return this;
        }

        /**
         * How long a request waits for the same one on its way (zero: no collapsing); see {@link CachingEngine.Builder#collapseTimeout}.
         *
         * @param timeout how long a request waits for the same one on its way (zero: no collapsing)
         * @return this builder
         */
        public Builder collapseTimeout(Duration timeout) {
            engineBuilder.collapseTimeout(timeout);
            engineSettings = true;
            return this;
        }

        /**
         * The response fields that tag responses for purging by tag; see {@link CachingEngine.Builder#tagFields}.
         *
         * @param names the response fields that tag responses for purging by tag
         * @return this builder
         */
        public Builder tagFields(String... names) {
            engineBuilder.tagFields(names);
            engineSettings = true;
            return this;
        }

        /**
         * Whether tag fields are removed before responses reach clients; see {@link CachingEngine.Builder#hideTagFields}.
         *
         * @param hide whether tag fields are removed before responses reach clients
         * @return this builder
         */
        public Builder hideTagFields(boolean hide) {
            engineBuilder.hideTagFields(hide);
            engineSettings = true;
            return this;
        }

        /**
         * How often each kind of store fault is logged at most; see {@link CachingEngine.Builder#faultLogInterval}.
         *
         * @param interval how often each kind of store fault is logged at most
         * @return this builder
         */
        public Builder faultLogInterval(Duration interval) {
            engineBuilder.faultLogInterval(interval);
            engineSettings = true;
            return this;
        }

        /**
         * The clock of every HTTP rule; default the system UTC clock.
         *
         * @param clock the clock of every HTTP rule
         * @return this builder
         */
        public Builder clock(Clock clock) {
            engineBuilder.clock(clock);
            engineSettings = true;
            return this;
        }

        /**
         * The filter.
         *
         * @return the filter, not yet initialised by its container
         * @throws IllegalStateException if both an engine and settings for a new one were given
         */
        public CachingFilter build() {
            if (engine != null) {
                if (engineSettings) {
                    throw new IllegalStateException("give the filter an engine or settings for a new one, not both");
                }
                CachingFilter filter = new CachingFilter(engine);
                filter.forwarding = forwarding;
                return filter;
            }
            CachingFilter filter = new CachingFilter(engineBuilder.build());
            filter.ownsEngine = true;
            filter.forwarding = forwarding;
            return filter;
        }
    }
}
