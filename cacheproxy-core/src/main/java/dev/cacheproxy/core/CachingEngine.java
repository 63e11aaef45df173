package dev.cacheproxy.core;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.Relay;
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
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

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

    private CachingEngine(Builder builder, CacheStore store) {
        this.store = new GuardedStore(store, builder.faultLogInterval, counters.storeFaults);
        this.policy = new GuardedPolicy(builder.policy);
        this.clock = builder.clock;
        this.cacheName = builder.cacheName;
        this.log = new ExchangeLog(builder.faultLogInterval);
        this.tagFields = new TagFields(builder.tagFields, builder.hideTagFields);
        this.storedAnswers = new StoredAnswers(tagFields);
        this.storing = new StoringRelay(policy, this.store, tagFields, builder.maxObjectSize, counters);
        this.updates = new StoredResponseUpdate(policy, tagFields);
        this.failures = new OriginFailureAnswers(policy, this.store, storedAnswers);
        this.refreshes = new BackgroundRefreshes(cacheName);
        this.collapsing = new RequestCollapsing(builder.collapseTimeout);
        this.purging = new Purging(store);
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
    public Optional<Answer> answerFromCache(RequestHead clientRequest) {
        if (!clientRequest.isMethod("GET") && !clientRequest.isMethod("HEAD")) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Lookup lookup = policy.lookup(clientRequest, store.variants(CacheKey.of(clientRequest.uri())), now);
        if (lookup instanceof Lookup.Reuse reuse && !reuse.revalidateInBackground()) {
            Answer answer = storedAnswers.answer(clientRequest, reuse.response(), reuse.age(),
                    CacheStatus.hit(cacheName, reuse.ttl(), reuse.reason()));
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
    private ExchangePlan.OnClientRequest decide(RequestHead clientRequest, boolean mayWait) {
        Instant now = clock.instant();
        CacheKey key = CacheKey.of(clientRequest.uri());
        boolean cacheableMethod = clientRequest.isMethod("GET") || clientRequest.isMethod("HEAD");
        Lookup lookup = policy.lookup(clientRequest, cacheableMethod ? store.variants(key) : List.of(), now);

        ExchangePlan.OnClientRequest plan;
        if (lookup instanceof Lookup.Reuse reuse) {
            CacheStatus hit = CacheStatus.hit(cacheName, reuse.ttl(), reuse.reason());
            Answer answer = storedAnswers.answer(clientRequest, reuse.response(), reuse.age(), mayWait ? hit : hit.withCollapsed());
            Optional<ToOrigin> refresh = reuse.revalidateInBackground()
                    ? refreshes.offer(clientRequest, key, reuse.response(), now) : Optional.empty();
            plan = refresh.isEmpty() ? answer : new Answer(answer.response(), answer.body(), answer.cacheStatus(), refresh);
        } else if (lookup instanceof Lookup.Validate validate) {
            plan = collapsing.leadOrWait(ValidationRule.request(clientRequest, key, validate.response(), now,
                    CacheStatus.forward(cacheName, validate.forwardReason(), validate.reason())), mayWait, now);
        } else if (lookup instanceof Lookup.Forward forward) {
            plan = collapsing.leadOrWait(new ToOrigin(clientRequest, key, HeaderFields.empty(), List.of(), Optional.empty(), now,
                    CacheStatus.forward(cacheName, forward.forwardReason(), forward.reason())), mayWait, now);
        } else {
            Lookup.Unavailable unavailable = (Lookup.Unavailable) lookup;
            plan = OriginFailureAnswers.unavailable(unavailable.reason(),
                    CacheStatus.forward(cacheName, ForwardReason.MISS, unavailable.reason()));
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

        for (CacheKey invalidated : InvalidationRule.keysToInvalidate(clientRequest, response)) {
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
            if (clientRequest.isMethod("HEAD") && response.status() == 200) {
                updateFromHead(toOrigin, response, now);
            }
            plan = storing.relay(toOrigin, response, status, now);
        }
        plan = collapsing.landing(toOrigin, plan);
        log.decided(clientRequest, plan);
        return plan;
    }

    @Override
    public ExchangePlan.OnOriginFailure onOriginFailure(ToOrigin toOrigin, OriginFailure failure) {
        Instant now = clock.instant();
        refreshes.ended(toOrigin);
        CacheStatus status = toOrigin.cacheStatus().withDetail(failure.problem());
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
        return counters.snapshot(store.unguarded());
    }

    /**
     * Removes every variant stored for this URI: the origin's URI, the one responses are stored under
     * (for {@code CachingProxyServlet}, its origin plus the request's path and query).
     */
    @Override
    public PurgeResult purge(URI target) {
        return purging.url(target);
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
            return new Relay(StoredAnswers.withCacheStatus(tagFields.forClient(notModified),
                    status.withDetail("304 matches no stored response")), BodyCapture.NONE, status);
        }
        StoredResponse updated = update.get().response();
        Duration age = FreshnessRule.currentAge(updated, now);
        if (update.get().storable() && store.store(toOrigin.key(), updated)) {
            status = status.withStored(updated.freshnessLifetime().minus(age));
        } else {
            store.remove(toOrigin.key());
            status = status.withDetail("validated; not stored again: " + update.get().storability().reason());
        }
        return storedAnswers.answer(clientRequest, updated, age, status);
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

        private CacheStore store;
        private CachePolicy policy = Rfc9111Policy.sharedCache();
        private Clock clock = Clock.systemUTC();
        private String cacheName = "cacheproxy";
        private int maxObjectSize = DEFAULT_MAX_OBJECT_SIZE;
        private Duration faultLogInterval = Duration.ofSeconds(10);
        private Duration collapseTimeout = Duration.ofSeconds(10);
        private List<String> tagFields = List.of("Surrogate-Key", "Cache-Tag");
        private boolean hideTagFields = true;

        private Builder() {
        }

        /**
         * Where responses are kept; default an in-memory {@code EhcacheStore}.
         *
         * @param store the store, which the engine closes with itself
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
         * The largest body that is stored, in bytes; larger ones stream through uncached. Default 8 MiB.
         *
         * @param bytes the limit, at least 1
         * @return this builder
         */
        public Builder maxObjectSize(long bytes) {
            if (bytes <= 0 || bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maximum object size must be between 1 byte and 2 GiB, got " + bytes);
            }
            this.maxObjectSize = (int) bytes;
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

        /** {@return the engine, ready to use; closing it closes its store} */
        public CachingEngine build() {
            return new CachingEngine(this, store != null ? store : dev.cacheproxy.store.EhcacheStore.builder().build());
        }
    }
}
