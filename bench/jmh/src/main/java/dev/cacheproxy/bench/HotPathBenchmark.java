package dev.cacheproxy.bench;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.Rfc9111Policy;
import dev.cacheproxy.store.EhcacheStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request hot paths of a cache hit and of a revalidation, one benchmark each, through the
 * public API only (the responses are stored by running a miss through the engine, as a proxy does):
 *
 * <ul>
 *   <li>{@link #cacheKey}: {@link CacheKey#of} for the request's target URI.</li>
 *   <li>{@link #freshHitDecision}: {@code Rfc9111Policy.sharedCache().lookup(...)} for a fresh stored
 *       response with {@code Vary: Accept-Encoding}, i.e. the RFC 9111 decision alone.</li>
 *   <li>{@link #engineRevalidationMapStore}: a stale response validated: the engine's validation request,
 *       then the origin's 304 merged (RFC 9111 §3.2, §4.3.4), stored again and answered.</li>
 *   <li>{@link #engineFreshHitMapStore}: {@link CachingEngine#onClientRequest} for a fresh hit, with a
 *       map as the store: key, lookup, {@code Age} and {@code Cache-Status}, without a real store.</li>
 *   <li>{@link #engineFreshHitEhcache}: the same with the default in-memory Ehcache store, as the example
 *       proxy runs it (the entry is read from the store's heap tier, sized in bytes).</li>
 *   <li>{@link #engineFreshHitEhcacheCountedHeap}: the same with the heap tier counted in entries
 *       ({@code EhcacheStore.Builder.heapEntries}, Ehcache's own heap tier, the earlier default).</li>
 *   <li>{@link #engineFreshHitEhcacheOffHeap}: the same for an entry that is not on the heap tier,
 *       decoded from the off-heap tier each time (a working set larger than the heap tier).</li>
 *   <li>{@link #engineMissEhcache}: the engine's part of a miss on a URL not seen before, with the
 *       default store: the look-up, the decision on the origin's 1 KiB response, the capture and the
 *       write to the store.</li>
 * </ul>
 *
 * <p>The clock is fixed while measuring, so every call sees the same 30-second-old response that is
 * fresh for an hour (and, for the revalidation, one that is always stale).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HotPathBenchmark {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:30Z");
    private static final Instant STORED_AT = NOW.minusSeconds(30);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final CachePolicy policy = Rfc9111Policy.sharedCache();
    private final SettableClock clock = new SettableClock(STORED_AT);
    private URI target;
    private URI staleTarget;
    private RequestHead clientRequest;
    private RequestHead staleRequest;
    private ResponseHead notModified;
    private List<StoredResponse> variants;
    private CachingEngine mapStoreEngine;
    private CachingEngine ehcacheEngine;
    private CachingEngine countedHeapEngine;
    private CachingEngine offHeapEngine;
    private ResponseHead missResponse;
    private long missCount;

    @Setup
    public void setUp() {
        target = URI.create("http://www.example.com/static/js/app.3f9c2b.js?v=42");
        staleTarget = URI.create("http://www.example.com/api/catalogue?page=2");
        clientRequest = browserGet(target);
        staleRequest = browserGet(staleTarget);
        notModified = new ResponseHead(304, HeaderFields.of(
                "Date", HTTP_DATE.format(NOW),
                "Server", "nginx",
                "ETag", "\"5f3c1a-400\"",
                "Cache-Control", "public, max-age=0",
                "Expires", HTTP_DATE.format(NOW),
                "Connection", "keep-alive"));

        mapStoreEngine = CachingEngine.builder().store(new MapStore()).clock(clock).build();
        ehcacheEngine = CachingEngine.builder().clock(clock).build();
        countedHeapEngine = CachingEngine.builder().store(EhcacheStore.builder().heapEntries(1024).build()).clock(clock).build();
        // A heap tier too small for the entry: every read decodes it from off-heap.
        offHeapEngine = CachingEngine.builder().store(EhcacheStore.builder().heapSize(1).build()).clock(clock).build();
        missResponse = originResponse("public, max-age=3600");
        for (CachingEngine engine : List.of(mapStoreEngine, ehcacheEngine, countedHeapEngine, offHeapEngine)) {
            storeThroughEngine(engine, clientRequest, "public, max-age=3600");
        }
        storeThroughEngine(mapStoreEngine, staleRequest, "public, max-age=0");
        clock.set(NOW);

        variants = mapStoreEngine.store().variants(CacheKey.of(target));
        for (CachingEngine engine : List.of(mapStoreEngine, ehcacheEngine, countedHeapEngine, offHeapEngine)) {
            if (!(engine.onClientRequest(clientRequest) instanceof ExchangePlan.Answer)) {
                throw new IllegalStateException("the stored response must be a fresh hit");
            }
        }
        if (!(freshHitDecision() instanceof Lookup.Reuse)) {
            throw new IllegalStateException("the policy must reuse the stored response");
        }
        if (!(engineRevalidationMapStore() instanceof ExchangePlan.Answer)) {
            throw new IllegalStateException("the 304 must answer from the stored response");
        }
    }

    @TearDown
    public void tearDown() {
        mapStoreEngine.close();
        ehcacheEngine.close();
        countedHeapEngine.close();
        offHeapEngine.close();
    }

    @Benchmark
    public CacheKey cacheKey() {
        return CacheKey.of(target);
    }

    @Benchmark
    public Lookup freshHitDecision() {
        return policy.lookup(clientRequest, variants, NOW);
    }

    @Benchmark
    public ExchangePlan.OnOriginResponse engineRevalidationMapStore() {
        ExchangePlan.ToOrigin validation = (ExchangePlan.ToOrigin) mapStoreEngine.onClientRequest(staleRequest);
        return mapStoreEngine.onOriginResponse(validation, notModified);
    }

    @Benchmark
    public ExchangePlan.OnClientRequest engineFreshHitMapStore() {
        return mapStoreEngine.onClientRequest(clientRequest);
    }

    @Benchmark
    public ExchangePlan.OnClientRequest engineFreshHitEhcache() {
        return ehcacheEngine.onClientRequest(clientRequest);
    }

    @Benchmark
    public ExchangePlan.OnClientRequest engineFreshHitEhcacheCountedHeap() {
        return countedHeapEngine.onClientRequest(clientRequest);
    }

    @Benchmark
    public ExchangePlan.OnClientRequest engineFreshHitEhcacheOffHeap() {
        return offHeapEngine.onClientRequest(clientRequest);
    }

    /** A URL not seen before (the store evicts the oldest as it fills), its 1 KiB response captured and stored. */
    @Benchmark
    public boolean engineMissEhcache() {
        RequestHead request = browserGet(URI.create("http://www.example.com/miss/" + (missCount++)));
        ExchangePlan.ToOrigin miss = (ExchangePlan.ToOrigin) ehcacheEngine.onClientRequest(request);
        BodyCapture capture = ((ExchangePlan.Relay) ehcacheEngine.onOriginResponse(miss, missResponse)).capture();
        capture.append(ByteBuffer.wrap(MISS_BODY));
        capture.complete();
        return capture.isCapturing();
    }

    private static final byte[] MISS_BODY = new byte[1024];

    private static RequestHead browserGet(URI uri) {
        return new RequestHead("GET", uri, HeaderFields.of(
                "Host", "www.example.com",
                "User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Accept", "*/*",
                "Accept-Language", "en-GB,en;q=0.5",
                "Accept-Encoding", "gzip, deflate, br, zstd",
                "Referer", "http://www.example.com/",
                "Connection", "keep-alive"));
    }

    /** A miss, as a proxy runs it: the origin's 1 KiB response streams through the engine's capture into the store. */
    private static void storeThroughEngine(CachingEngine engine, RequestHead request, String cacheControl) {
        ExchangePlan.ToOrigin miss = (ExchangePlan.ToOrigin) engine.onClientRequest(request);
        BodyCapture capture = ((ExchangePlan.Relay) engine.onOriginResponse(miss, originResponse(cacheControl))).capture();
        capture.append(ByteBuffer.wrap(new byte[1024]));
        capture.complete();
        if (engine.store().variants(CacheKey.of(request.uri())).isEmpty()) {
            throw new IllegalStateException("the response must be stored");
        }
    }

    /** The origin's 1 KiB response, as nginx sends a static file. */
    private static ResponseHead originResponse(String cacheControl) {
        return new ResponseHead(200, HeaderFields.of(
                "Date", HTTP_DATE.format(STORED_AT),
                "Server", "nginx",
                "Content-Type", "application/javascript; charset=utf-8",
                "Content-Length", "1024",
                "Content-Encoding", "br",
                "Last-Modified", HTTP_DATE.format(STORED_AT.minus(Duration.ofDays(3))),
                "ETag", "\"5f3c1a-400\"",
                "Cache-Control", cacheControl,
                "Vary", "Accept-Encoding",
                "Accept-Ranges", "bytes"));
    }

    /** The benchmark's clock: set while the responses are stored, then fixed while measuring. */
    private static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the benchmark's clock stays in UTC");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** The least a store can do: one list per key, so that the engine's own cost shows. */
    private static final class MapStore implements CacheStore {
        private final Map<CacheKey, List<StoredResponse>> entries = new ConcurrentHashMap<>();

        @Override
        public List<StoredResponse> variants(CacheKey key) {
            return entries.getOrDefault(key, List.of());
        }

        @Override
        public void store(CacheKey key, StoredResponse response) {
            entries.compute(key, (k, current) -> CacheStore.withVariant(current == null ? List.of() : current, response, 16));
        }

        @Override
        public void remove(CacheKey key) {
            entries.remove(key);
        }

        @Override
        public void clear() {
            entries.clear();
        }

        @Override
        public void close() {
            entries.clear();
        }
    }
}
