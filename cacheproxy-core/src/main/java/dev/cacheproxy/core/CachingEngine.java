package dev.cacheproxy.core;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.Collapsing;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.ExchangePlan.Fail;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.ExchangePlan.Wait;
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
 * The {@link dev.cacheproxy.api.ProxyEngine} of cacheproxy: asks the {@link CachePolicy}, reads and writes the
 * {@link CacheStore}, and turns their answers into plans for a server adapter. It reads its
 * {@link Clock} once per phase and hands that instant to every rule.
 *
 * <p>Thread safe. Build one with {@link #builder()} and share it between all requests.
 */
public final class CachingEngine implements ObservableEngine, PurgeableEngine, AutoCloseable {

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
    private final Keying keying;
    private final RequestNormalization normalization;
    private final Optional<RememberedMisses> rememberedMisses;

    private CachingEngine(Builder builder) {
        this.store = new GuardedStore(builder.store, builder.faultLogInterval, counters.storeFaults);
        this.log = new ExchangeLog(builder.faultLogInterval);
        this.tagFields = new TagFields(builder.tagFields, builder.hideTagFields);
        this.storedAnswers = new StoredAnswers(tagFields);
        this.purging = new Purging(builder.store, builder.cacheKeys);
        this.keying = new Keying(builder.cacheKeys, builder.showKeyInCacheStatus, builder.faultLogInterval);
        this.policy = builder.routes.over(builder.policy);
        this.normalization = new RequestNormalization(builder.normalizer, builder.faultLogInterval);
        this.rememberedMisses = builder.rememberMissesFor.isZero()
                ? Optional.empty() : Optional.of(new RememberedMisses(builder.rememberMissesFor, builder.rememberedMissesLimit));
        this.clock = builder.clock;
        this.cacheName = builder.cacheName;
        this.maxObjectSize = builder.maxObjectSize;
        this.collapsing = builder.collapseTimeout.isZero()
                ? Optional.empty() : Optional.of(new RequestCollapsing(builder.collapseTimeout));
    }

    /** A builder with the defaults: RFC 9111 shared-cache policy, an in-memory Ehcache store, the system clock. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ExchangePlan.OnClientRequest onClientRequest(RequestHead clientRequest) {
        return decide(clientRequest, true);
    }

    @Override
    public Optional<Answer> answerFromCache(RequestHead sentRequest) {
        if (!sentRequest.isMethod("GET") && !sentRequest.isMethod("HEAD")) {
            return Optional.empty();
        }
        Optional<RequestHead> normalized = normalization.apply(sentRequest);
        if (normalized.isEmpty()) {
            return Optional.empty();
        }
        RequestHead clientRequest = normalized.get();
        Instant now = clock.instant();
        CacheKey key = keying.keyFor(clientRequest);
        if (Keying.isUnkeyable(key)) {
            return Optional.empty();
        }
        Lookup lookup = lookup(clientRequest, store.variants(key), now);
        if (lookup instanceof Lookup.Reuse reuse && !reuse.revalidateInBackground()) {
            Answer answer = answerFromStore(clientRequest, reuse.response(), reuse.age(),
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
        // vcl_recv: the normalised request is what the cache looks up and what the origin gets.
        Optional<RequestHead> normalized = normalization.apply(sentRequest);
        RequestHead clientRequest = normalized.orElse(sentRequest);
        RequestNormalization.Changes changes = RequestNormalization.changes(sentRequest.headers(), clientRequest.headers());
        CacheKey key = normalized.isPresent() ? keying.keyFor(clientRequest) : Keying.unkeyable();
        boolean cacheableMethod = clientRequest.isMethod("GET") || clientRequest.isMethod("HEAD");
        List<StoredResponse> variants = cacheableMethod && !Keying.isUnkeyable(key) ? store.variants(key) : List.of();
        Lookup lookup = Keying.isUnkeyable(key)
                ? new Lookup.Forward(ForwardReason.BYPASS, "cache key or request normalizer failed")
                : lookup(clientRequest, variants, now);

        ExchangePlan.OnClientRequest plan;
        if (lookup instanceof Lookup.Reuse reuse) {
            CacheStatus hit = keying.shown(CacheStatus.hit(cacheName, reuse.ttl(), reuse.reason()), key);
            Answer answer = answerFromStore(clientRequest, reuse.response(), reuse.age(), mayWait ? hit : hit.withCollapsed());
            plan = reuse.revalidateInBackground()
                    ? backgroundRefresh(clientRequest, key, reuse.response(), now)
                            .map(refresh -> new Answer(answer.response(), answer.body(), answer.cacheStatus(), Optional.of(refresh)))
                            .orElse(answer)
                    : answer;
        } else if (lookup instanceof Lookup.Validate validate) {
            plan = collapsed(validation(clientRequest, changes, key, validate.response(), now,
                    keying.shown(CacheStatus.forward(cacheName, validate.forwardReason(), validate.reason()), key)), mayWait, now);
        } else if (lookup instanceof Lookup.Forward forward) {
            plan = collapsed(new ToOrigin(clientRequest, key, changes.set(), changes.remove(), Optional.empty(), now,
                    keying.shown(CacheStatus.forward(cacheName, forward.forwardReason(), forward.reason()), key)), mayWait, now);
        } else {
            Lookup.Unavailable unavailable = (Lookup.Unavailable) lookup;
            CacheStatus status = keying.shown(CacheStatus.forward(cacheName, ForwardReason.MISS, unavailable.reason()), key);
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
        Optional<RememberedMisses.Miss> remembered = rememberedMisses.flatMap(misses -> misses.remembered(plan.key(), now));
        if (remembered.isPresent()) {
            // Hit-for-miss: the last response for this key was not storable, so waiting would only queue.
            return withStatus(plan, plan.cacheStatus().withDetail(plan.cacheStatus().detail().map(detail -> detail + "; ").orElse("")
                    + "remembered miss (" + remembered.get().reason() + ")"));
        }
        Collapsing collapse = collapsing(plan.clientRequest(), now);
        if (collapse instanceof Collapsing.Refused refused) {
            return withStatus(plan, plan.cacheStatus().withDetail(plan.cacheStatus().detail().map(detail -> detail + "; ").orElse("")
                    + refused.reason()));
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

    private static ToOrigin withStatus(ToOrigin plan, CacheStatus status) {
        return new ToOrigin(plan.clientRequest(), plan.key(), plan.setFields(), plan.removeFields(), plan.validating(),
                plan.requestTime(), status);
    }

    @Override
    public ExchangePlan.OnOriginResponse onOriginResponse(ToOrigin toOrigin, ResponseHead originResponse) {
        Instant now = clock.instant();
        toOrigin.validating().ifPresent(validated -> refreshes.remove(refreshKey(toOrigin.key(), validated)));
        RequestHead clientRequest = toOrigin.clientRequest();
        ResponseHead response = originResponse.withHeaders(HopByHopFields.removeFrom(originResponse.headers()));
        CacheStatus status = toOrigin.cacheStatus().withFwdStatus(response.status());
        counters.originResponded(toOrigin, response.status(), now);

        for (CacheKey invalidated : InvalidationRule.keysToInvalidate(clientRequest, response, keying::keyFor)) {
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
    public ExchangePlan.OnOriginFailure onOriginFailure(ToOrigin toOrigin, OriginFailure failure) {
        Instant now = clock.instant();
        toOrigin.validating().ifPresent(validated -> refreshes.remove(refreshKey(toOrigin.key(), validated)));
        String problem = failure.problem();
        CacheStatus status = toOrigin.cacheStatus().withDetail(problem);
        counters.originFailed(toOrigin, now);
        log.originFailed(toOrigin, failure);
        Optional<Answer> stale = staleOnError(toOrigin, OptionalInt.empty(), status, now);
        ExchangePlan.OnOriginFailure plan;
        if (stale.isPresent()) {
            plan = stale.get();
        } else if (failure instanceof OriginFailure.TimedOut) {
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
     * (for {@code CachingProxyServlet}, its origin plus the request's path and query), under the key the
     * {@linkplain Builder#cacheKeys cache key function} gives a {@code GET} of it without header fields.
     */
    @Override
    public PurgeResult purge(URI target) {
        PurgeResult result = purging.url(target);
        rememberedMisses.ifPresent(misses -> misses.forget(keying.keyFor(new RequestHead("GET", target, HeaderFields.empty()))));
        return result;
    }

    /** Removes every variant stored under the key of this request, header and cookie dimensions included. */
    @Override
    public PurgeResult purge(RequestHead request) {
        PurgeResult result = purging.request(request);
        rememberedMisses.ifPresent(misses -> misses.forget(keying.keyFor(request.withMethod("GET"))));
        return result;
    }

    /** The key this request's response is stored under, e.g. for a backend pool to hash on. */
    public CacheKey keyFor(RequestHead request) {
        return keying.keyFor(request);
    }

    /** Removes every response stored with this tag, when the store is a {@link dev.cacheproxy.api.TaggedStore}. */
    @Override
    public PurgeResult purgeTag(String tag) {
        return purging.tag(tag);
    }

    /** Removes everything stored. */
    @Override
    public PurgeResult purgeAll() {
        rememberedMisses.ifPresent(RememberedMisses::clear);
        return purging.all();
    }

    /** The store behind the engine, for purging and for tests. */
    public CacheStore store() {
        return store.unguarded();
    }

    /** Closes the store. */
    @Override
    public void close() {
        store.unguarded().close();
    }

    /** A request to the origin that asks whether this stored response is still good (RFC 9111 §4.3.1). */
    private ToOrigin validation(RequestHead clientRequest, RequestNormalization.Changes changes, CacheKey key, StoredResponse stored,
                                Instant now, CacheStatus status) {
        HeaderFields validators = ValidationRule.validatorsFor(stored);
        List<String> removed = new ArrayList<>(VALIDATION_REMOVES);
        removed.removeIf(validators::contains);
        RequestNormalization.Changes sent = changes.then(validators, removed);
        return new ToOrigin(clientRequest, key, sent.set(), sent.remove(), Optional.of(stored), now, status);
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
        RequestHead refreshRequest = clientRequest.withMethod("GET").withHeaders(headers);
        return Optional.of(validation(refreshRequest, RequestNormalization.Changes.NONE, key, stale, now,
                keying.shown(CacheStatus.forward(cacheName, ForwardReason.STALE, "background revalidation (stale-while-revalidate)"), key)));
    }

    /** One background refresh at a time per stored variant: the key of that variant. */
    private static String refreshKey(CacheKey key, StoredResponse variant) {
        return key.value() + VARIANT_SEPARATOR + variant.variantKey();
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
        RequestHead asGet = toOrigin.clientRequest().withMethod("GET");
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
            merged = merged.withHeaders(withoutFields(merged.headers(), update.fieldsNotStored()));
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
        RequestHead asGet = clientRequest.withMethod("GET");
        Storability storability = storability(asGet, merged, now);
        if (storability instanceof Storability.Store store) {
            merged = merged.withHeaders(withoutFields(merged.headers(), store.fieldsNotStored()));
        }
        Optional<String> variantKey = VaryRule.variantKey(merged.headers(), clientRequest);
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
        if ((clientRequest.isMethod("GET") || clientRequest.isMethod("POST")) && !Keying.isUnkeyable(toOrigin.key())) {
            Storability storability = storability(clientRequest, response, now);
            HeaderFields storedFields = storability instanceof Storability.Store store
                    ? withoutFields(StoredFieldsRule.toStore(response.headers()), store.fieldsNotStored()) : response.headers();
            Optional<String> variantKey = VaryRule.variantKey(storedFields, clientRequest);
            if (storability instanceof Storability.Store store && variantKey.isPresent()) {
                rememberedMisses.ifPresent(misses -> misses.forget(toOrigin.key()));
                ResponseHead stored = tagFields.forStorage(response.withHeaders(storedFields));
                capture = new StoringCapture(this.store, toOrigin.key(), stored, variantKey.get(),
                        toOrigin.requestTime(), now, store.freshnessLifetime(), maxObjectSize, counters);
                if (capture.isCapturing()) {
                    StoredResponse asStored = new StoredResponse(stored, Body.empty(), variantKey.get(), toOrigin.requestTime(),
                            now, store.freshnessLifetime());
                    status = status.withStored(store.freshnessLifetime().minus(FreshnessRule.currentAge(asStored, now)));
                } else {
                    // Its Content-Length is over the maximum object size: say so rather than "stored".
                    status = status.withDetail(status.detail().orElse("") + "; not stored: larger than the maximum object size");
                    rememberMiss(toOrigin, response, "larger than the maximum object size", now);
                }
            } else {
                counters.skippedNotCacheable.increment();
                status = status.withDetail(status.detail().orElse("") + "; not stored: " + storability.reason());
                if (storability instanceof Storability.DoNotStore refused && refused.cause() == Storability.Cause.RESPONSE) {
                    rememberMiss(toOrigin, response, storability.reason(), now);
                }
            }
        }
        return new Relay(withCacheStatus(tagFields.forClient(response), status), capture, status);
    }

    /** Remembers a miss for a GET's key (never for a background refresh, which stands in for no client). */
    private void rememberMiss(ToOrigin toOrigin, ResponseHead response, String reason, Instant now) {
        if (rememberedMisses.isPresent() && toOrigin.clientRequest().isMethod("GET")) {
            rememberedMisses.get().remember(toOrigin.key(), response.headers(), reason, now);
        }
    }

    private static HeaderFields withoutFields(HeaderFields fields, java.util.Set<String> names) {
        return names.isEmpty() ? fields : fields.toBuilder().removeAll(names).build();
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

    private Collapsing collapsing(RequestHead request, Instant now) {
        try {
            return Objects.requireNonNull(policy.collapsing(request, now), "the policy's collapsing returned null");
        } catch (RuntimeException fault) {
            LOG.warn("cache policy failed to decide on collapsing {}; not collapsing", request.uri(), fault);
            return new Collapsing.Refused("policy failed: " + fault);
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
        /** How long a miss is remembered at most by default: Varnish's hit-for-miss time. */
        public static final Duration DEFAULT_REMEMBER_MISSES_FOR = Duration.ofSeconds(120);
        /** How many keys' misses are remembered at most by default. */
        public static final int DEFAULT_REMEMBERED_MISSES_LIMIT = 10_000;

        private CacheStore store;
        private CachePolicy policy = Rfc9111Policy.sharedCache();
        private Clock clock = Clock.systemUTC();
        private String cacheName = "cacheproxy";
        private int maxObjectSize = DEFAULT_MAX_OBJECT_SIZE;
        private Duration faultLogInterval = Duration.ofSeconds(10);
        private Duration collapseTimeout = Duration.ofSeconds(10);
        private List<String> tagFields = List.of("Surrogate-Key", "Cache-Tag");
        private boolean hideTagFields = true;
        private CacheKeyFunction cacheKeys = CacheKeyFunction.TARGET_URI;
        private boolean showKeyInCacheStatus;
        private RouteRules routes = RouteRules.none();
        private RequestNormalizer normalizer = RequestNormalizer.NONE;
        private Duration rememberMissesFor = DEFAULT_REMEMBER_MISSES_FOR;
        private int rememberedMissesLimit = DEFAULT_REMEMBERED_MISSES_LIMIT;

        private Builder() {
        }

        /** Where responses are kept; default an in-memory {@code EhcacheStore}. */
        public Builder store(CacheStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** What may be stored and reused; default {@link Rfc9111Policy#sharedCache()}. */
        public Builder policy(CachePolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The only source of time for every HTTP rule; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The name this cache gives itself in {@code Cache-Status}; an RFC 9110 token. Default {@code cacheproxy}. */
        public Builder cacheName(String cacheName) {
            Objects.requireNonNull(cacheName, "cacheName");
            if (cacheName.isEmpty() || !cacheName.matches("[A-Za-z*][A-Za-z0-9:/!#$%&'*+\\-.^_`|~]*")) {
                throw new IllegalArgumentException("cache name must be a structured-field token, got \"" + cacheName + "\"");
            }
            this.cacheName = cacheName;
            return this;
        }

        /** The largest body that is stored, in bytes; larger ones stream through uncached. Default 8 MiB. */
        public Builder maxObjectSize(long bytes) {
            if (bytes <= 0 || bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maximum object size must be between 1 byte and 2 GiB, got " + bytes);
            }
            this.maxObjectSize = (int) bytes;
            return this;
        }

        /** How often each kind of store fault is logged at WARN at most; default 10 seconds. */
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

        /** Whether the tag fields are removed from responses before they reach clients. Default true. */
        public Builder hideTagFields(boolean hide) {
            this.hideTagFields = hide;
            return this;
        }

        /**
         * How the primary cache key is computed from a request; default the normalised target URI
         * ({@link CacheKeyFunction#TARGET_URI}). See {@link CacheKeys} for the ready-made pieces. Purging
         * by URL, collapsing and remembered misses go by the same key.
         */
        public Builder cacheKeys(CacheKeyFunction keys) {
            this.cacheKeys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /**
         * A debugging aid: whether {@code Cache-Status} shows each response's cache key as {@code key="..."}.
         * Off by default, since a key can carry a header's or cookie's value.
         */
        public Builder showKeyInCacheStatus(boolean show) {
            this.showKeyInCacheStatus = show;
            return this;
        }

        /**
         * Per-route rules chosen by path pattern and method (TTLs, never cache, ignored response fields,
         * default {@code stale-*} windows, bypass, no collapsing), applied over the {@linkplain #policy policy}.
         */
        public Builder routes(RouteRules routes) {
            this.routes = Objects.requireNonNull(routes, "routes");
            return this;
        }

        /**
         * Rewrites each request's fields before lookup and before it goes to the origin ({@code vcl_recv});
         * see {@link RequestNormalizers}. Default none.
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
         */
        public Builder rememberMissesFor(Duration longest) {
            Objects.requireNonNull(longest, "longest");
            if (longest.isNegative()) {
                throw new IllegalArgumentException("remembered misses time must not be negative, got " + longest);
            }
            this.rememberMissesFor = longest;
            return this;
        }

        /** How many keys' misses are remembered at most, the oldest forgotten first. Default 10000. */
        public Builder rememberedMissesLimit(int keys) {
            if (keys < 1) {
                throw new IllegalArgumentException("remembered misses limit must be at least 1, got " + keys);
            }
            this.rememberedMissesLimit = keys;
            return this;
        }

        public CachingEngine build() {
            if (store == null) {
                store = dev.cacheproxy.store.EhcacheStore.builder().build();
            }
            return new CachingEngine(this);
        }
    }
}
