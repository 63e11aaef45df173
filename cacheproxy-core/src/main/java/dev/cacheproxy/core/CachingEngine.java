package dev.cacheproxy.core;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.Fail;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.ExchangePlan.Wait;
import dev.cacheproxy.api.ForwardReason;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.ObservableEngine;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.PurgeResult;
import dev.cacheproxy.api.PurgeableEngine;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.api.StoredResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ProxyEngine} of cacheproxy: asks the {@link CachePolicy}, reads and writes the
 * {@link CacheStore}, and turns their answers into plans for a server adapter. It reads its
 * {@link Clock} once per phase and hands that instant to every rule.
 *
 * <p>Thread safe. Build one with {@link #builder()} and share it between all requests.
 */
public final class CachingEngine implements ProxyEngine, ObservableEngine, PurgeableEngine, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CachingEngine.class);

    /** A background refresh an adapter did not send is offered again after this long. */
    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(60);
    private static final String VARIANT_SEPARATOR = "\u0000";
    /** What a validation never sends on: the client's own conditions and range (the cache wants the whole). */
    private static final List<String> VALIDATION_REMOVES = List.of(
            "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range");

    private final ConcurrentMap<String, Instant> refreshes = new ConcurrentHashMap<>();
    private final Optional<RequestCollapsing> collapsing;
    private final GuardedStore store;
    private final CachePolicy policy;
    private final Clock clock;
    private final String cacheName;
    private final int maxObjectSize;
    private final EngineCounters counters = new EngineCounters();
    private final ExchangeLog log;
    private final TagFields tagFields;
    private final StoredAnswers storedAnswers;
    private final Purging purging;

    private CachingEngine(Builder builder) {
        this.store = new GuardedStore(builder.store, builder.faultLogInterval, counters.storeFaults);
        this.log = new ExchangeLog(builder.faultLogInterval);
        this.tagFields = new TagFields(builder.tagFields, builder.hideTagFields);
        this.storedAnswers = new StoredAnswers(tagFields);
        this.purging = new Purging(builder.store);
        this.policy = builder.policy;
        this.clock = builder.clock;
        this.cacheName = builder.cacheName;
        this.maxObjectSize = builder.maxObjectSize;
        this.collapsing = builder.collapseTimeout.isZero()
                ? Optional.empty() : Optional.of(new RequestCollapsing(builder.collapseTimeout));
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
        CacheKey key = CacheKey.of(clientRequest.uri());
        Lookup lookup = lookup(clientRequest, store.variants(key), now);
        if (lookup instanceof Lookup.Reuse reuse && !reuse.revalidateInBackground()) {
            Answer answer = answerFromStore(clientRequest, reuse.response(), reuse.age(),
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
        List<StoredResponse> variants = cacheableMethod ? store.variants(key) : List.of();
        Lookup lookup = lookup(clientRequest, variants, now);

        ExchangePlan.OnClientRequest plan;
        if (lookup instanceof Lookup.Reuse reuse) {
            CacheStatus hit = CacheStatus.hit(cacheName, reuse.ttl(), reuse.reason());
            Answer answer = answerFromStore(clientRequest, reuse.response(), reuse.age(), mayWait ? hit : hit.withCollapsed());
            plan = reuse.revalidateInBackground()
                    ? backgroundRefresh(clientRequest, key, reuse.response(), now)
                            .map(refresh -> new Answer(answer.response(), answer.body(), answer.cacheStatus(), Optional.of(refresh)))
                            .orElse(answer)
                    : answer;
        } else if (lookup instanceof Lookup.Validate validate) {
            plan = collapsed(validation(clientRequest, key, validate.response(), now,
                    CacheStatus.forward(cacheName, validate.forwardReason(), validate.reason())), mayWait, now);
        } else if (lookup instanceof Lookup.Forward forward) {
            plan = collapsed(new ToOrigin(clientRequest, key, HeaderFields.empty(), List.of(), Optional.empty(), now,
                    CacheStatus.forward(cacheName, forward.forwardReason(), forward.reason())), mayWait, now);
        } else {
            Lookup.Unavailable unavailable = (Lookup.Unavailable) lookup;
            CacheStatus status = CacheStatus.forward(cacheName, ForwardReason.MISS, unavailable.reason());
            plan = errorAnswer(504, "Gateway Timeout: " + unavailable.reason(), status);
        }
        counters.decided(mayWait, lookup, plan);
        if (plan instanceof Answer) {
            // Other plans are logged when their exchange ends: one line per exchange.
            log.decided(clientRequest, plan);
        }
        return plan;
    }

    /**
     * The plan itself when this request leads (or may not collapse), or a {@code Wait} for the request
     * for the same key already on its way. Only GETs that would take a stored response collapse: not
     * other methods, and not a request whose own directives ask for the origin.
     */
    private ExchangePlan.OnClientRequest collapsed(ToOrigin plan, boolean mayWait, Instant now) {
        ForwardReason reason = plan.cacheStatus().forward().orElseThrow();
        boolean head = plan.clientRequest().isMethod("HEAD");
        boolean collapsible = collapsing.isPresent() && (plan.clientRequest().isMethod("GET") || head)
                && (reason == ForwardReason.URI_MISS || reason == ForwardReason.VARY_MISS || reason == ForwardReason.STALE);
        if (!collapsible) {
            return plan;
        }
        if (!mayWait) {
            // Waited already: go to the origin without leading, so a later request does not wait on this one.
            return plan;
        }
        RequestCollapsing flights = collapsing.get();
        // A HEAD may wait for a GET on its way (its stored response answers the HEAD), but never leads:
        // its own response has no body to store for the GETs that would wait on it.
        Optional<CompletableFuture<Void>> inFlight = head ? flights.inFlight(plan.key(), now) : flights.leadOrWait(plan, now);
        return inFlight
                .<ExchangePlan.OnClientRequest>map(landed -> new Wait(landed, flights.timeout(),
                        plan.cacheStatus().withDetail("waiting for the same request already on its way to the origin")))
                .orElse(plan);
    }

    @Override
    public ExchangePlan.OnOriginResponse onOriginResponse(ToOrigin toOrigin, ResponseHead originResponse) {
        Instant now = clock.instant();
        toOrigin.validating().ifPresent(validated -> refreshes.remove(refreshKey(toOrigin.key(), validated)));
        RequestHead clientRequest = toOrigin.clientRequest();
        ResponseHead response = originResponse.withHeaders(StoredFieldsRule.withoutHopByHop(originResponse.headers()));
        CacheStatus status = toOrigin.cacheStatus().withFwdStatus(response.status());
        counters.originResponded(toOrigin, response.status(), now);

        for (CacheKey invalidated : InvalidationRule.keysToInvalidate(clientRequest, response)) {
            store.remove(invalidated);
        }

        ExchangePlan.OnOriginResponse plan;
        Optional<Answer> stale;
        if (response.status() == 304 && toOrigin.validating().isPresent()) {
            plan = onNotModified(toOrigin, toOrigin.validating().get(), response, status, now);
        } else if (StaleRule.ERROR_STATUSES.contains(response.status())
                && (stale = staleOnError(toOrigin, OptionalInt.of(response.status()), status, now)).isPresent()) {
            plan = stale.get();
        } else {
            if (clientRequest.isMethod("HEAD") && response.status() == 200) {
                updateFromHead(toOrigin, response, now);
            }
            plan = relay(toOrigin, response, status, now);
        }
        plan = landing(toOrigin, plan);
        log.decided(clientRequest, plan);
        return plan;
    }

    /** Wakes the requests collapsed onto this one once what the store will hold is known. */
    private ExchangePlan.OnOriginResponse landing(ToOrigin toOrigin, ExchangePlan.OnOriginResponse plan) {
        if (collapsing.isEmpty()) {
            return plan;
        }
        if (plan instanceof Relay relay && relay.capture() != BodyCapture.NONE) {
            return new Relay(relay.response(), collapsing.get().landingWhenDone(toOrigin, relay.capture()), relay.cacheStatus());
        }
        collapsing.get().land(toOrigin);
        return plan;
    }

    @Override
    public ExchangePlan.OnOriginFailure onOriginFailure(ToOrigin toOrigin, boolean timedOut, String problem) {
        Instant now = clock.instant();
        toOrigin.validating().ifPresent(validated -> refreshes.remove(refreshKey(toOrigin.key(), validated)));
        CacheStatus status = toOrigin.cacheStatus().withDetail(problem);
        counters.originFailed(toOrigin, now);
        log.originFailed(toOrigin, timedOut, problem);
        Optional<Answer> stale = staleOnError(toOrigin, OptionalInt.empty(), status, now);
        ExchangePlan.OnOriginFailure plan;
        if (stale.isPresent()) {
            plan = stale.get();
        } else if (timedOut) {
            plan = new Fail(504, "Gateway Timeout: the origin did not answer in time (" + problem + ")", status);
        } else if (toOrigin.validating().filter(stored -> StaleRule.mustNotServeStale(CacheControl.ofResponse(stored.headers()))).isPresent()) {
            // RFC 9111 §5.2.2.2: a stored response that must be revalidated and cannot be is answered 504.
            plan = new Fail(504, "Gateway Timeout: the stored response must be revalidated and the origin failed ("
                    + problem + ")", status);
        } else {
            plan = new Fail(502, "Bad Gateway: the origin could not be reached or failed (" + problem + ")", status);
        }
        collapsing.ifPresent(flights -> flights.land(toOrigin));
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

    /** A request to the origin that asks whether this stored response is still good (RFC 9111 §4.3.1). */
    private ToOrigin validation(RequestHead clientRequest, CacheKey key, StoredResponse stored, Instant now, CacheStatus status) {
        HeaderFields validators = ValidationRule.validatorsFor(stored);
        List<String> removed = new ArrayList<>(VALIDATION_REMOVES);
        removed.removeIf(validators::contains);
        return new ToOrigin(clientRequest, key, validators, removed, Optional.of(stored), now, status);
    }

    /**
     * RFC 5861 §3: one background revalidation per stored variant at a time. Empty when one is already
     * on its way; one an adapter never sent is given up after {@link #REFRESH_TIMEOUT}.
     */
    private Optional<ToOrigin> backgroundRefresh(RequestHead clientRequest, CacheKey key, StoredResponse stale, Instant now) {
        String refreshKey = refreshKey(key, stale);
        Instant previous = refreshes.putIfAbsent(refreshKey, now);
        if (previous != null) {
            if (Duration.between(previous, now).compareTo(REFRESH_TIMEOUT) < 0 || !refreshes.replace(refreshKey, previous, now)) {
                return Optional.empty();
            }
        }
        // The refresh stands in for a plain GET of the client: none of its own conditions or range.
        HeaderFields headers = clientRequest.headers().without("Range", "If-Range", "If-Match", "If-Unmodified-Since",
                "If-None-Match", "If-Modified-Since", "Cache-Control", "Pragma");
        RequestHead refreshRequest = new RequestHead("GET", clientRequest.uri(), headers);
        return Optional.of(validation(refreshRequest, key, stale, now,
                CacheStatus.forward(cacheName, ForwardReason.STALE, "background revalidation (stale-while-revalidate)")));
    }

    /** One background refresh at a time per stored variant: the key of that variant. */
    private static String refreshKey(CacheKey key, StoredResponse variant) {
        return key.uri() + VARIANT_SEPARATOR + variant.variantKey();
    }

    /** A stale stored response in place of the origin's failure, when the policy allows it (RFC 5861 §4, RFC 9111 §4.2.4). */
    private Optional<Answer> staleOnError(ToOrigin toOrigin, OptionalInt errorStatus, CacheStatus status, Instant now) {
        RequestHead clientRequest = toOrigin.clientRequest();
        if (!clientRequest.isMethod("GET") && !clientRequest.isMethod("HEAD")) {
            return Optional.empty();
        }
        Optional<StoredResponse> candidate = toOrigin.validating()
                .or(() -> ReuseRule.select(clientRequest, store.variants(toOrigin.key())));
        if (candidate.isEmpty()) {
            return Optional.empty();
        }
        Optional<Lookup.Reuse> reuse;
        try {
            reuse = Objects.requireNonNull(policy.reuseOnOriginError(clientRequest, candidate.get(), errorStatus, now),
                    "the policy's reuseOnOriginError returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to decide on a stale response for {}; reporting the origin's failure", clientRequest.uri(), fault);
            return Optional.empty();
        }
        reuse.ifPresent(servedStale -> counters.staleServed.increment());
        return reuse.map(stale -> answerFromStore(clientRequest, stale.response(), stale.age(),
                status.withDetail("served stored response: " + stale.reason()
                        + status.detail().map(detail -> " (" + detail + ")").orElse(""))));
    }

    /**
     * RFC 9111 §4.3.5: a 200 to a HEAD updates the stored GET response it describes, as a 304 would; one
     * that shows the representation changed (other validators or length) invalidates it.
     */
    private void updateFromHead(ToOrigin toOrigin, ResponseHead headResponse, Instant now) {
        RequestHead asGet = new RequestHead("GET", toOrigin.clientRequest().uri(), toOrigin.clientRequest().headers());
        Optional<StoredResponse> stored = ReuseRule.select(asGet, store.variants(toOrigin.key()));
        if (stored.isEmpty()) {
            return;
        }
        Optional<String> length = headResponse.headers().first("Content-Length");
        boolean sameLength = length.isEmpty() || length.get().equals(Integer.toString(stored.get().body().size()));
        boolean hasValidator = headResponse.headers().contains("ETag") || headResponse.headers().contains("Last-Modified");
        if (!sameLength || !hasValidator || !NotModifiedRule.refersTo(headResponse, stored.get())) {
            store.remove(toOrigin.key());
            return;
        }
        ResponseHead merged = tagFields.forStorage(NotModifiedRule.merge(stored.get().head(), headResponse));
        if (storability(asGet, merged, now) instanceof Storability.Store update) {
            store.store(toOrigin.key(), new StoredResponse(merged, stored.get().body(), stored.get().variantKey(),
                    toOrigin.requestTime(), now, update.freshnessLifetime()));
        } else {
            store.remove(toOrigin.key());
        }
    }

    private ExchangePlan.OnOriginResponse onNotModified(
            ToOrigin toOrigin, StoredResponse validated, ResponseHead notModified, CacheStatus status, Instant now) {
        RequestHead clientRequest = toOrigin.clientRequest();
        if (!NotModifiedRule.refersTo(notModified, validated)) {
            // §4.3.4: a 304 whose validators match nothing stored cannot be used to answer.
            store.remove(toOrigin.key());
            return new Relay(withCacheStatus(tagFields.forClient(notModified), status.withDetail("304 matches no stored response")),
                    BodyCapture.NONE, status);
        }
        ResponseHead merged = tagFields.forStorage(NotModifiedRule.merge(validated.head(), notModified));
        // A HEAD validates the stored GET response: whether it may stay stored is the GET's question.
        RequestHead asGet = new RequestHead("GET", clientRequest.uri(), clientRequest.headers());
        Storability storability = storability(asGet, merged, now);
        Optional<String> variantKey = VaryRule.variantKey(merged.headers(), clientRequest.headers());
        Duration lifetime = storability instanceof Storability.Store store ? store.freshnessLifetime() : Duration.ZERO;
        StoredResponse updated = new StoredResponse(merged, validated.body(), variantKey.orElse(validated.variantKey()),
                toOrigin.requestTime(), now, lifetime);
        if (storability instanceof Storability.Store && variantKey.isPresent() && store.store(toOrigin.key(), updated)) {
            status = status.withStored(lifetime.minus(FreshnessRule.currentAge(updated, now)));
        } else {
            store.remove(toOrigin.key());
            status = status.withDetail("validated; not stored again: " + storability.reason());
        }
        return answerFromStore(clientRequest, updated, FreshnessRule.currentAge(updated, now), status);
    }

    private Relay relay(ToOrigin toOrigin, ResponseHead response, CacheStatus status, Instant now) {
        RequestHead clientRequest = toOrigin.clientRequest();
        BodyCapture capture = BodyCapture.NONE;
        // GET responses are stored; so is a POST's that names itself as the target's representation (§9.3.3).
        if (clientRequest.isMethod("GET") || clientRequest.isMethod("POST")) {
            Storability storability = storability(clientRequest, response, now);
            Optional<String> variantKey = VaryRule.variantKey(response.headers(), clientRequest.headers());
            if (storability instanceof Storability.Store store && variantKey.isPresent()) {
                ResponseHead stored = tagFields.forStorage(response.withHeaders(StoredFieldsRule.toStore(response.headers())));
                capture = new StoringCapture(this.store, toOrigin.key(), stored, variantKey.get(),
                        toOrigin.requestTime(), now, store.freshnessLifetime(), maxObjectSize, counters);
                if (capture.isCapturing()) {
                    StoredResponse asStored = new StoredResponse(stored, Body.empty(), variantKey.get(), toOrigin.requestTime(),
                            now, store.freshnessLifetime());
                    status = status.withStored(store.freshnessLifetime().minus(FreshnessRule.currentAge(asStored, now)));
                } else {
                    // Its Content-Length is over the maximum object size: say so rather than "stored".
                    status = status.withDetail(status.detail().orElse("") + "; not stored: larger than the maximum object size");
                }
            } else {
                counters.skippedNotCacheable.increment();
                status = status.withDetail(status.detail().orElse("") + "; not stored: " + storability.reason());
            }
        }
        return new Relay(withCacheStatus(tagFields.forClient(response), status), capture, status);
    }

    private Answer answerFromStore(RequestHead clientRequest, StoredResponse stored, Duration age, CacheStatus status) {
        return storedAnswers.answer(clientRequest, stored, age, status);
    }

    private Answer errorAnswer(int statusCode, String message, CacheStatus status) {
        HeaderFields headers = HeaderFields.of("Content-Type", "text/plain; charset=utf-8", "Cache-Control", "no-store");
        return new Answer(withCacheStatus(new ResponseHead(statusCode, headers), status), Body.ofUtf8(message + "\n"), status);
    }

    /** RFC 9211 §2: each cache appends its member, so ours comes after any from caches nearer the origin. */
    static ResponseHead withCacheStatus(ResponseHead head, CacheStatus status) {
        return head.withHeaders(head.headers().toBuilder().add("Cache-Status", status.toHeaderValue()).build());
    }

    private Lookup lookup(RequestHead request, List<StoredResponse> variants, Instant now) {
        try {
            return Objects.requireNonNull(policy.lookup(request, variants, now), "the policy's lookup returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to look up {}; forwarding uncached", request.uri(), fault);
            return new Lookup.Forward(ForwardReason.BYPASS, "policy failed: " + fault);
        }
    }

    private Storability storability(RequestHead request, ResponseHead response, Instant now) {
        try {
            return Objects.requireNonNull(policy.storability(request, response, now), "the policy's storability returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to decide storability of {}; not storing", request.uri(), fault);
            return new Storability.DoNotStore("policy failed: " + fault);
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
            if (store == null) {
                store = dev.cacheproxy.store.EhcacheStore.builder().build();
            }
            return new CachingEngine(this);
        }
    }
}
