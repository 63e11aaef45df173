package dev.cacheproxy.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.BackendReport;
import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

/** The Micrometer binder, read back from Micrometer's simple registry after a known sequence of requests. */
final class CacheproxyMetricsTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void theRegistryReadsTheEnginesFiguresWithTheGivenTags() {
        try (CachingEngine engine = CachingEngine.builder().store(EhcacheStore.builder().offHeapMegabytes(4).build())
                .clock(clock).maxObjectSize(100).build()) {
            new CacheproxyMetrics(engine, Tags.of("cache", "edge")).bindTo(registry);

            fetch(engine, "/a", "hello", Duration.ofMillis(20));
            engine.onClientRequest(get("/a"));
            engine.onClientRequest(get("/a"));
            fetch(engine, "/big", "x".repeat(200), Duration.ofMillis(80));

            assertEquals(2, registry.get("cacheproxy.requests").tags("cache", "edge", "result", "hit").functionCounter().count());
            assertEquals(2, registry.get("cacheproxy.requests").tag("result", "miss").functionCounter().count());
            assertEquals(1, registry.get("cacheproxy.stores").functionCounter().count());
            assertEquals(1, registry.get("cacheproxy.store.skips").tag("reason", "too_big").functionCounter().count());
            assertEquals(0, registry.get("cacheproxy.store.skips").tag("reason", "incomplete").functionCounter().count());
            assertEquals(0, registry.get("cacheproxy.origin.errors").functionCounter().count());
            assertEquals(2, registry.get("cacheproxy.origin.latency").functionTimer().count());
            assertEquals(100, registry.get("cacheproxy.origin.latency").functionTimer().totalTime(TimeUnit.MILLISECONDS));
            assertEquals(80, registry.get("cacheproxy.origin.latency.max").timeGauge().value(TimeUnit.MILLISECONDS));
            assertEquals(1, registry.get("cacheproxy.entries").gauge().value());
            assertTrue(registry.get("cacheproxy.size").gauge().value() > 5);
            assertEquals("bytes", registry.get("cacheproxy.size").gauge().getId().getBaseUnit());
            assertEquals(0, registry.get("cacheproxy.evictions").functionCounter().count());
        }
    }

    @Test
    void aStoreWithoutStatisticsGetsNoStoreMeters() {
        try (CachingEngine engine = CachingEngine.builder().store(Mockito.mock(CacheStore.class)).clock(clock).build()) {
            new CacheproxyMetrics(engine).bindTo(registry);

            assertNull(registry.find("cacheproxy.entries").gauge());
            assertEquals(0, registry.get("cacheproxy.requests").tag("result", "hit").functionCounter().count());
        }
    }

    @Test
    void backendsReportedBeforeOrAfterBindingGetTheirOwnMetersAndAppearInTheStatistics() {
        try (CachingEngine engine = CachingEngine.builder().clock(clock).build()) {
            AtomicLong requests = new AtomicLong(5);
            BackendReport early = () -> List.of(backend("api", "http://10.0.0.1:8080", BackendStatistics.State.HEALTHY, requests.get()));
            engine.addBackendReport(early);
            new CacheproxyMetrics(engine, Tags.of("cache", "edge")).bindTo(registry);
            BackendReport late = () -> List.of(backend("web", "http://10.0.0.2:8080", BackendStatistics.State.EJECTED, 7));
            engine.addBackendReport(late);

            assertEquals(2, engine.statistics().backends().size());
            assertEquals(5, registry.get("cacheproxy.backend.requests").tags("cache", "edge", "pool", "api", "backend", "http://10.0.0.1:8080")
                    .functionCounter().count());
            requests.set(9);
            assertEquals(9, registry.get("cacheproxy.backend.requests").tags("pool", "api").functionCounter().count(), "read when scraped");
            assertEquals(1, registry.get("cacheproxy.backend.up").tags("pool", "api").gauge().value());
            assertEquals(0, registry.get("cacheproxy.backend.up").tags("pool", "web").gauge().value());
            assertEquals(2, registry.get("cacheproxy.backend.failures").tags("pool", "web").functionCounter().count());
            assertEquals(3, registry.get("cacheproxy.backend.latency").tags("pool", "web").functionTimer().count());
            assertEquals(30, registry.get("cacheproxy.backend.latency").tags("pool", "web").functionTimer().totalTime(TimeUnit.MILLISECONDS));

            engine.removeBackendReport(late);
            assertEquals(1, engine.statistics().backends().size());
        }
    }

    private static BackendStatistics backend(String pool, String uri, BackendStatistics.State state, long requests) {
        return new BackendStatistics(pool, URI.create(uri), state, 1, false, requests, 2, 1, 1,
                new EngineStatistics.OriginLatency(3, Duration.ofMillis(30), Duration.ofMillis(20)));
    }

    private void fetch(CachingEngine engine, String path, String body, Duration originTime) {
        ToOrigin toOrigin = assertInstanceOf(ToOrigin.class, engine.onClientRequest(get(path)));
        clock.advance(originTime);
        Relay relay = assertInstanceOf(Relay.class, engine.onOriginResponse(toOrigin, new ResponseHead(200, HeaderFields.of(
                "Cache-Control", "max-age=60",
                "Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().atOffset(ZoneOffset.UTC))))));
        relay.capture().append(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
        relay.capture().complete();
    }

    private static RequestHead get(String path) {
        return new RequestHead("GET", URI.create("http://origin.test" + path), HeaderFields.empty());
    }
}
