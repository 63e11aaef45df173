package dev.cacheproxy.core;

import dev.cacheproxy.api.BackendReport;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.Collapsing;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.ForwardReason;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.HopByHopFields;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.ObservableEngine;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.PurgeResult;
import dev.cacheproxy.api.PurgeableEngine;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.RequestNormalizer;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.store.DefaultStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The {@link dev.cacheproxy.api.ProxyEngine} of cacheproxy: it sequences one exchange through the
 * rules, guards the {@link CachePolicy} and the {@link CacheStore} (a fault in either is a miss or a
 * skipped write, never a client error) and counts what happened. It decides nothing itself: each
 * decision has a class of its own ({@link GuardedPolicy} asks the policy, {@link StoredAnswers},
 * {@link StoringRelay}, {@link StoredResponseUpdate}, {@link OriginFailureAnswers},
 * {@link BackgroundRefreshes}, {@link RequestCollapsing}). It reads its {@link Clock} once per phase
 * and hands that instant to every rule.
 *
 * <p>Thread safe. Build one with {@link #builder()} and share it between all requests.
 */
public final class CachingEngine implements ObservableEngine, PurgeableEngine, AutoCloseable {

    private final GuardedStore store;
    private final GuardedPolicy policy;
    private final Clock clock;
    private final String cacheName;
    private final EngineCounters counters = new EngineCounters();
    private final ExchangeLog log;
    private final TagFields tagFields;
    private final StoredAnswers storedAnswers;
    private final StoringRelay storing;
    private final StoredResponseUpdate updates;
    private final OriginFailureAnswers failures;
    private final BackgroundRefreshes refreshes;
    private final RequestCollapsing collapsing;
    private final Purging purging;
    private final boolean traceAllowed;
    private final Keying keying;
    private final BackendReports backendReports = new BackendReports();

    private CachingEngine(Builder builder, CacheStore store) {
        this.store = new GuardedStore(store, builder.faultLogInterval, counters.storeFaults);
        this.policy = new GuardedPolicy(builder.routes.over(builder.policy));
        this.clock = builder.clock;
        this.cacheName = builder.cacheName;
        this.log = new ExchangeLog(builder.faultLogInterval);
        this.tagFields = new TagFields(builder.tagFields, builder.hideTagFields);
        this.storedAnswers = new StoredAnswers(tagFields);
        Optional<RememberedMisses> rememberedMisses = builder.rememberMissesFor.isZero()
                ? Optional.empty() : Optional.of(new RememberedMisses(builder.rememberMissesFor, builder.rememberedMissesLimit));
        this.storing = new StoringRelay(policy, this.store, tagFields, builder.maxObjectSize, counters, rememberedMisses);
        this.updates = new StoredResponseUpdate(policy, tagFields);
        this.failures = new OriginFailureAnswers(policy, this.store, storedAnswers);
        this.refreshes = new BackgroundRefreshes(cacheName);
        this.collapsing = new RequestCollapsing(builder.collapseTimeout, rememberedMisses, policy);
        this.keying = new Keying(builder.cacheKeys, builder.showKeyInCacheStatus, builder.faultLogInterval,
                new RequestNormalization(builder.normalizer, builder.faultLogInterval));
        this.purging = new Purging(store, keying.function(), rememberedMisses);
        this.traceAllowed = builder.traceAllowed;
    }

    /** {@return a builder with the defaults: RFC 9111 shared-cache policy, an in-memory Ehcache store, the system clock} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ExchangePlan.OnClientRequest onClientRequest(RequestHead clientRequest) {
        return decide(clientRequest, true);
    }

    @Override
    public Optional<Answer> answerFromCache(RequestHead sentRequest) {
        if (!sentRequest.isMethod("GET") && !sentRequest.isMethod("HEAD") || RequestContentRule.bypassesCache(sentRequest)) {
            return Optional.empty();
        }
        Keying.Keyed keyed = keying.keyed(sentRequest);
        if (!keyed.keyable()) {
            return Optional.empty();
        }
        RequestHead clientRequest = keyed.request();
        CacheKey key = keyed.key();
        Instant now = clock.instant();
        Lookup lookup = policy.lookup(clientRequest, store.variants(key), now);
        if (lookup instanceof Lookup.Reuse reuse && !reuse.revalidateInBackground()) {
            Answer answer = storedAnswers.answer(clientRequest, reuse.response(), reuse.age(),
                    keying.shown(CacheStatus.hit(cacheName, reuse.ttl(), reuse.reason()), key));
            counters.decided(true, lookup, answer);
            log.decided(clientRequest, answer);
            return Optional.of(answer);
        }
        return Optional.empty();
    }

    @Override
    public ExchangePlan.OnClientRequest onClientRequestAfterWait(RequestHead clientRequest) {
        return decide(clientRequest, false);
    }

    /** Phase 1; {@code mayWait} is false once a request has waited for another (it never waits twice). */
    private ExchangePlan.OnClientRequest decide(RequestHead sentRequest, boolean mayWait) {
        Instant now = clock.instant();
        Keying.Keyed keyed = keying.keyed(sentRequest);
        RequestHead clientRequest = keyed.request();
        CacheKey key = keyed.key();
        Optional<String> refusal = RefusedMethodRule.refusal(clientRequest, traceAllowed);
        if (refusal.isPresent()) {
            Answer refused = OriginFailureAnswers.plainText(501, "Not Implemented: " + refusal.get(),
                    CacheStatus.forward(cacheName, ForwardReason.METHOD, refusal.get()));
            log.decided(clientRequest, refused);
            return refused;
        }
        if (RequestContentRule.bypassesCache(clientRequest)) {
            // Neither looked up nor stored, and never collapsed: the content may change the answer.
            return new ToOrigin(clientRequest, key, keyed.changes().set(), keyed.changes().remove(), Optional.empty(), now,
                    CacheStatus.forward(cacheName, ForwardReason.BYPASS, clientRequest.method() + " with content: cache not used"));
        }
        boolean cacheableMethod = clientRequest.isMethod("GET") || clientRequest.isMethod("HEAD");
        Lookup lookup = !keyed.keyable()
                ? new Lookup.Forward(ForwardReason.BYPASS, keyed.unkeyableWhy())
                : policy.lookup(clientRequest, cacheableMethod ? store.variants(key) : List.of(), now);

        ExchangePlan.OnClientRequest plan;
        if (lookup instanceof Lookup.Reuse reuse) {
            CacheStatus hit = keying.shown(CacheStatus.hit(cacheName, reuse.ttl(), reuse.reason()), key);
            Answer answer = storedAnswers.answer(clientRequest, reuse.response(), reuse.age(), mayWait ? hit : hit.withCollapsed());
            Optional<ToOrigin> refresh = reuse.revalidateInBackground()
                    ? refreshes.offer(clientRequest, key, reuse.response(), now) : Optional.empty();
            plan = refresh.isEmpty() ? answer : new Answer(answer.response(), answer.body(), answer.cacheStatus(), refresh);
        } else if (lookup instanceof Lookup.Validate validate) {
            plan = collapsing.plan(keyed.changes().onto(ValidationRule.request(clientRequest, key, validate.response(), now,
                    keying.shown(CacheStatus.forward(cacheName, validate.forwardReason(), validate.reason()), key))), mayWait, now);
        } else if (lookup instanceof Lookup.Forward forward) {
            plan = collapsing.plan(new ToOrigin(clientRequest, key, keyed.changes().set(), keyed.changes().remove(), Optional.empty(), now,
                    keying.shown(CacheStatus.forward(cacheName, forward.forwardReason(), forward.reason()), key)), mayWait, now);
        } else {
            Lookup.Unavailable unavailable = (Lookup.Unavailable) lookup;
            plan = OriginFailureAnswers.unavailable(unavailable.reason(),
                    keying.shown(CacheStatus.forward(cacheName, ForwardReason.MISS, unavailable.reason()), key));
        }
        counters.decided(mayWait, lookup, plan);
        if (plan instanceof Answer) {
            // Other plans are logged when their exchange ends: one line per exchange.
            log.decided(clientRequest, plan);
        }
        return plan;
    }

    @Override
    public ExchangePlan.OnOriginResponse onOriginResponse(ToOrigin toOrigin, ResponseHead originResponse) {
        Instant now = clock.instant();
        refreshes.ended(toOrigin);
        RequestHead clientRequest = toOrigin.clientRequest();
        ResponseHead response = originResponse.withHeaders(HopByHopFields.removeFrom(originResponse.headers()));
        CacheStatus status = toOrigin.cacheStatus().withFwdStatus(response.status());
        counters.originResponded(toOrigin, response.status(), now);

        for (CacheKey invalidated : InvalidationRule.keysToInvalidate(clientRequest, response, keying::keyFor)) {
            store.remove(invalidated);
        }

        ExchangePlan.OnOriginResponse plan;
        Optional<Answer> stale = Optional.empty();
        if (response.status() == 304 && toOrigin.validating().isPresent()) {
            plan = onNotModified(toOrigin, toOrigin.validating().get(), response, status, now);
        } else if (StaleRule.ERROR_STATUSES.contains(response.status())
                && (stale = failures.staleInstead(toOrigin, OptionalInt.of(response.status()), status, now)).isPresent()) {
            counters.staleServed.increment();
            plan = stale.get();
        } else {
            if (clientRequest.isMethod("HEAD") && response.status() == 200 && !RequestContentRule.hasContent(clientRequest)) {
                updateFromHead(toOrigin, response, now);
            }
            plan = storing.relay(toOrigin, response, status, now);
        }
        plan = collapsing.landing(toOrigin, plan);
        log.decided(clientRequest, plan);
        return plan;
    }

    @Override
    public void onRefreshDeclined(ToOrigin refresh) {
        refreshes.declined(refresh);
    }

    /** The background refreshes the engine waits to hear of, for tests. */
    int refreshesInFlight() {
        return refreshes.inFlight();
    }

    @Override
    public ExchangePlan.OnOriginFailure onOriginFailure(ToOrigin toOrigin, OriginFailure failure) {
        Instant now = clock.instant();
        refreshes.ended(toOrigin);
        // Clients see a fixed phrase per kind of failure; the problem itself (addresses, ports, a
        // connection dump) goes to the rate-limited log only.
        CacheStatus status = toOrigin.cacheStatus().withDetail(OriginFailurePhrases.of(failure));
        counters.originFailed(toOrigin, now);
        log.originFailed(toOrigin, failure);
        Optional<Answer> stale = failures.staleInstead(toOrigin, OptionalInt.empty(), status, now);
        stale.ifPresent(servedStale -> counters.staleServed.increment());
        ExchangePlan.OnOriginFailure plan = stale.isPresent() ? stale.get() : failures.failure(toOrigin, failure, status);
        collapsing.land(toOrigin);
        log.decided(toOrigin.clientRequest(), plan);
        return plan;
    }

    /** What the engine has done since it was built, with the store's statistics when it keeps them. */
    @Override
    public EngineStatistics statistics() {
        return counters.snapshot(store.unguarded(), backendReports.backends());
    }

    /** Adds these backends' figures to {@link #statistics()} and tells the listeners ({@link #whenBackendReportAdded}). */
    @Override
    public void addBackendReport(BackendReport report) {
        backendReports.add(report);
    }

    @Override
    public void removeBackendReport(BackendReport report) {
        backendReports.remove(report);
    }

    @Override
    public void whenBackendReportAdded(Consumer<BackendReport> listener) {
        backendReports.whenAdded(listener);
    }

    /**
     * Removes every variant stored for this URI: the origin's URI, the one responses are stored under
     * (for {@code CachingProxyServlet}, its origin plus the request's path and query), under the key the
     * {@linkplain Builder#cacheKeys cache key function} gives a {@code GET} of it without header fields
     * nor path rewrite. Behind a proxy's routes that rewrite paths, purge the request instead
     * ({@link #purge(RequestHead)}; {@code CachingProxyServlet.purgeRequest} routes a client's URL).
     */
    @Override
    public PurgeResult purge(URI target) {
        return purging.url(target);
    }

    /** Removes every variant stored under the key of this request, header and cookie dimensions included. */
    @Override
    public PurgeResult purge(RequestHead request) {
        return purging.request(request);
    }

    /**
     * The key this request's response is stored under (after normalisation), e.g. for a backend pool to hash on.
     *
     * @param request the client's request
     * @return its key
     */
    public CacheKey keyFor(RequestHead request) {
        return keying.keyForNormalized(request);
    }

    /** Removes every response stored with this tag, when the store is a {@link dev.cacheproxy.api.TaggedStore}. */
    @Override
    public PurgeResult purgeTag(String tag) {
        return purging.tag(tag);
    }

    /** Removes everything stored. */
    @Override
    public PurgeResult purgeAll() {
        return purging.all();
    }

    /** {@return the store behind the engine, for purging and for tests} */
    public CacheStore store() {
        return store.unguarded();
    }

    /** Closes the store. */
    @Override
    public void close() {
        store.unguarded().close();
    }

    /** RFC 9111 §4.3.4: the validated response, updated and stored again when it may be, answers the client. */
    private ExchangePlan.OnOriginResponse onNotModified(
            ToOrigin toOrigin, StoredResponse validated, ResponseHead notModified, CacheStatus status, Instant now) {
        RequestHead clientRequest = toOrigin.clientRequest();
        Optional<StoredResponseUpdate.Updated> update =
                updates.byNotModified(clientRequest, validated, notModified, toOrigin.requestTime(), now);
        if (update.isEmpty()) {
            store.remove(toOrigin.key());
            // §4.3.4: a 304 whose validators match nothing stored cannot be used to answer, and the client
            // asked no condition of its own (validation replaces them): it never sees that 304. The stored
            // response is not freshened; it is removed, so the next request fetches a whole one.
            return OriginFailureAnswers.plainText(502, "Bad Gateway: " + OriginFailurePhrases.UNMATCHED_NOT_MODIFIED,
                    status.withDetail(OriginFailurePhrases.UNMATCHED_NOT_MODIFIED));
        }
        StoredResponse updated = update.get().response();
        Duration age = FreshnessRule.currentAge(updated, now);
        if (update.get().storable() && store.store(toOrigin.key(), updated)) {
            status = status.withStored(updated.freshnessLifetime().minus(age));
        } else {
            store.remove(toOrigin.key());
            status = status.withDetail("validated; not stored again: " + update.get().storability().reason());
        }
        Answer answer = storedAnswers.answer(clientRequest, updated, age, status);
        // The 304's cookies are this client's own: they reach it, and only it (the store never keeps them).
        return new Answer(StoredFieldsRule.withOneClientFieldsOf(answer.response(), notModified), answer.body(), answer.cacheStatus());
    }

    /** RFC 9111 §4.3.5: a 200 to a HEAD updates the stored GET response the policy selects, or removes it. */
    private void updateFromHead(ToOrigin toOrigin, ResponseHead headResponse, Instant now) {
        RequestHead headRequest = toOrigin.clientRequest();
        Optional<StoredResponse> stored = policy.selectVariant(headRequest.withMethod("GET"), store.variants(toOrigin.key()));
        if (stored.isEmpty()) {
            return;
        }
        Optional<StoredResponseUpdate.Updated> update =
                updates.byHead(headRequest, stored.get(), headResponse, toOrigin.requestTime(), now);
        if (update.isPresent() && update.get().storable()) {
            store.store(toOrigin.key(), update.get().response());
        } else {
            store.remove(toOrigin.key());
        }
    }

    /** Configures a {@link CachingEngine}; the one way to make one. Not thread safe. */
    public static final class Builder {
        /** The default maximum size of a stored body: larger bodies stream through uncached. */
        public static final int DEFAULT_MAX_OBJECT_SIZE = 8 * 1024 * 1024;
        /** How long a miss is remembered at most by default: Varnish's hit-for-miss time. */
        public static final Duration DEFAULT_REMEMBER_MISSES_FOR = Duration.ofSeconds(120);
        /** How many keys' misses are remembered at most by default. */
        public static final int DEFAULT_REMEMBERED_MISSES_LIMIT = 10_000;

        private CacheStore store;
        private CachePolicy policy = Rfc9111Policy.sharedCache();
        private Clock clock = Clock.systemUTC();
        private String cacheName = "cacheproxy";
        private int maxObjectSize = DEFAULT_MAX_OBJECT_SIZE;
        private boolean maxObjectSizeSet;
        private Duration faultLogInterval = Duration.ofSeconds(10);
        private Duration collapseTimeout = Duration.ofSeconds(10);
        private List<String> tagFields = List.of("Surrogate-Key", "Cache-Tag");
        private boolean hideTagFields = true;
        private boolean traceAllowed;
        private CacheKeyFunction cacheKeys = CacheKeyFunction.TARGET_URI;
        private boolean showKeyInCacheStatus;
        private RouteRules routes = RouteRules.none();
        private RequestNormalizer normalizer = RequestNormalizer.NONE;
        private Duration rememberMissesFor = DEFAULT_REMEMBER_MISSES_FOR;
        private int rememberedMissesLimit = DEFAULT_REMEMBERED_MISSES_LIMIT;

        private Builder() {
        }

        /**
         * Where responses are kept; default {@link DefaultStore#inMemory()}, an in-memory Ehcache store.
         *
         * @param store where responses are kept
         * @return this builder
         */
        public Builder store(CacheStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * What may be stored and reused; default {@link Rfc9111Policy#sharedCache()}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder policy(CachePolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The only source of time for every HTTP rule; default the system UTC clock.
         *
         * @param clock the clock; tests pass a fixed or manual one
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The name this cache gives itself in {@code Cache-Status}; an RFC 9110 token. Default {@code cacheproxy}.
         *
         * @param cacheName the name, e.g. {@code edge}
         * @return this builder
         */
        public Builder cacheName(String cacheName) {
            Objects.requireNonNull(cacheName, "cacheName");
            if (cacheName.isEmpty() || !cacheName.matches("[A-Za-z*][A-Za-z0-9:/!#$%&'*+\\-.^_`|~]*")) {
                throw new IllegalArgumentException("cache name must be a structured-field token, got \"" + cacheName + "\"");
            }
            this.cacheName = cacheName;
            return this;
        }

        /**
         * The largest body that is stored, in bytes; larger ones stream through uncached. Default 8 MiB, or
         * the store's {@linkplain CacheStore#largestBody largest body} when that is less. A size the store
         * cannot keep fails {@link #build()}.
         *
         * @param bytes the limit, at least 1
         * @return this builder
         */
        public Builder maxObjectSize(long bytes) {
            if (bytes <= 0 || bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maximum object size must be between 1 byte and 2 GiB, got " + bytes);
            }
            this.maxObjectSize = (int) bytes;
            this.maxObjectSizeSet = true;
            return this;
        }

        /**
         * How often each kind of store fault is logged at WARN at most; default 10 seconds.
         *
         * @param interval the shortest time between two WARN lines about one kind of fault
         * @return this builder
         */
        public Builder faultLogInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("fault log interval must not be negative, got " + interval);
            }
            this.faultLogInterval = interval;
            return this;
        }

        /**
         * Request collapsing: while a request for a URL is on its way to the origin, others for it wait
         * up to this long for its response instead of going too, then go themselves. Zero turns
         * collapsing off. Default 10 seconds.
         *
         * @param timeout the longest a request waits for another's response; zero for no collapsing
         * @return this builder
         */
        public Builder collapseTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("collapse timeout must not be negative, got " + timeout);
            }
            this.collapseTimeout = timeout;
            return this;
        }

        /**
         * The response fields whose values tag a response for {@linkplain CachingEngine#purgeTag purging by tag},
         * separated by whitespace or commas. Default {@code Surrogate-Key} and {@code Cache-Tag}; none turns tags off.
         *
         * @param names the field names, any case
         * @return this builder
         */
        public Builder tagFields(String... names) {
            for (String name : names) {
                if (name == null || !name.matches("[A-Za-z0-9!#$%&'*+\\-.^_`|~]+")) {
                    throw new IllegalArgumentException("a tag field must be a field name, got \"" + name + "\"");
                }
            }
            this.tagFields = List.of(names);
            return this;
        }

        /**
         * Whether the tag fields are removed from responses before they reach clients. Default true.
         *
         * @param hide {@code false} to let clients see the tag fields
         * @return this builder
         */
        public Builder hideTagFields(boolean hide) {
            this.hideTagFields = hide;
            return this;
        }

        /**
         * How the primary cache key is computed from a request; default the normalised target URI
         * ({@link CacheKeyFunction#TARGET_URI}). See {@link CacheKeys} for the ready-made pieces. Purging
         * by URL, collapsing and remembered misses go by the same key. The engine adds the request's
         * {@linkplain RequestHead#pathRewrite path rewrite} after it ({@link CacheKey#withPathRewrite}):
         * the function sees the path the client asked for and need not know about a proxy's routes.
         *
         * @param keys the key function
         * @return this builder
         */
        public Builder cacheKeys(CacheKeyFunction keys) {
            this.cacheKeys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /**
         * A debugging aid: whether {@code Cache-Status} shows each response's cache key as {@code key="..."}.
         * Off by default, since a key can carry a header's or cookie's value.
         *
         * @param show {@code true} to show it
         * @return this builder
         */
        public Builder showKeyInCacheStatus(boolean show) {
            this.showKeyInCacheStatus = show;
            return this;
        }

        /**
         * Per-route rules chosen by path pattern and method (TTLs, never cache, ignored response fields,
         * default {@code stale-*} windows, bypass, no collapsing), applied over the {@linkplain #policy policy}.
         *
         * @param routes the route rules
         * @return this builder
         */
        public Builder routes(RouteRules routes) {
            this.routes = Objects.requireNonNull(routes, "routes");
            return this;
        }

        /**
         * Rewrites each request's fields before lookup and before it goes to the origin ({@code vcl_recv});
         * see {@link RequestNormalizers}. Default none.
         *
         * @param normalizer the normalizer
         * @return this builder
         */
        public Builder normalizeRequests(RequestNormalizer normalizer) {
            this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
            return this;
        }

        /**
         * Remembered misses (Varnish's hit-for-miss): when a response for a key turns out not storable
         * ({@code private}, {@code no-store}, a route that never caches it...), requests for the key go
         * to the origin at once for this long, rather than wait for one another behind request
         * collapsing; less when the response's {@code max-age} says so. A storable response for the key,
         * or a purge of it, ends it. Zero turns it off. Default 120 seconds.
         *
         * @param longest the longest a miss is remembered
         * @return this builder
         */
        public Builder rememberMissesFor(Duration longest) {
            Objects.requireNonNull(longest, "longest");
            if (longest.isNegative()) {
                throw new IllegalArgumentException("remembered misses time must not be negative, got " + longest);
            }
            this.rememberMissesFor = longest;
            return this;
        }

        /**
         * How many keys' misses are remembered at most, the oldest forgotten first. Default 10000.
         *
         * @param keys the number of keys, at least 1
         * @return this builder
         */
        public Builder rememberedMissesLimit(int keys) {
            if (keys < 1) {
                throw new IllegalArgumentException("remembered misses limit must be at least 1, got " + keys);
            }
            this.rememberedMissesLimit = keys;
            return this;
        }

        /**
         * Whether {@code TRACE} requests go on to the origin. Default false: they are answered 501 here,
         * so the request's cookies and credentials are never reflected back through the proxy.
         * {@code CONNECT} is always answered 501.
         *
         * @param allow {@code true} to forward {@code TRACE}
         * @return this builder
         */
        public Builder allowTrace(boolean allow) {
            this.traceAllowed = allow;
            return this;
        }

        /**
         * The engine.
         *
         * @return the engine, ready to use; closing it closes its store
         * @throws IllegalArgumentException when the maximum object size set is larger than the store can keep
         */
        public CachingEngine build() {
            CacheStore chosen = store != null ? store : DefaultStore.inMemory();
            OptionalLong largestBody = chosen.largestBody();
            if (largestBody.isPresent() && maxObjectSize > largestBody.getAsLong()) {
                if (maxObjectSizeSet) {
                    if (store == null) {
                        chosen.close();
                    }
                    throw new IllegalArgumentException("the maximum object size (" + maxObjectSize + " bytes) is larger than the "
                            + "largest body the store keeps (" + largestBody.getAsLong() + " bytes, in " + chosen
                            + "): lower the maximum object size or give the store larger tiers");
                }
                // The default size adapts to a small store; one the user set must fit.
                maxObjectSize = (int) largestBody.getAsLong();
            }
            return new CachingEngine(this, chosen);
        }
    }
}
