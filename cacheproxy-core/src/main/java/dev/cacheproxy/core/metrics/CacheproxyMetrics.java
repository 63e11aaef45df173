package dev.cacheproxy.core.metrics;

import dev.cacheproxy.api.BackendReport;
import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.api.CacheStoreStatistics;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.api.ObservableEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Publishes an engine's {@link EngineStatistics} to a Micrometer {@link MeterRegistry}, and from there
 * to Prometheus, JMX or whatever the application reports to. Meters read the statistics when the
 * registry asks; nothing is counted twice. Needs {@code io.micrometer:micrometer-core} on the class
 * path, an optional dependency of cacheproxy-core.
 *
 * <pre>
 * new CacheproxyMetrics(engine, Tags.of("cache", "edge")).bindTo(registry);
 * </pre>
 *
 * <p>Meters (Prometheus names in brackets):
 * <ul>
 *   <li>{@code cacheproxy.requests} {@code result=hit|miss} [{@code cacheproxy_requests_total}]</li>
 *   <li>{@code cacheproxy.stale.served}, {@code cacheproxy.collapsed.waits}, {@code cacheproxy.stores},
 *       {@code cacheproxy.store.faults}, {@code cacheproxy.origin.errors}</li>
 *   <li>{@code cacheproxy.revalidations} {@code result=not_modified|modified}</li>
 *   <li>{@code cacheproxy.store.skips} {@code reason=too_big|not_cacheable|incomplete}</li>
 *   <li>{@code cacheproxy.origin.latency}, a timer (count and total), and {@code cacheproxy.origin.latency.max}</li>
 *   <li>when the store keeps statistics: {@code cacheproxy.entries}, {@code cacheproxy.size} (bytes),
 *       {@code cacheproxy.evictions}</li>
 *   <li>for each backend of the proxy's pools, tagged {@code pool} and {@code backend}, as soon as the
 *       proxy reports them (before or after binding): {@code cacheproxy.backend.requests},
 *       {@code cacheproxy.backend.failures}, {@code cacheproxy.backend.ejections},
 *       {@code cacheproxy.backend.active} (requests on their way), {@code cacheproxy.backend.up} (1 when it
 *       takes requests, 0 when ejected or down), {@code cacheproxy.backend.latency} (a timer)</li>
 * </ul>
 */
public final class CacheproxyMetrics implements MeterBinder {

    private final ObservableEngine engine;
    private final Iterable<Tag> tags;

    /**
     * Meters for this engine, each with these tags (e.g. the cache's name, when an application has several).
     *
     * @param engine the engine to read, on every scrape
     * @param tags   tags added to every meter
     */
    public CacheproxyMetrics(ObservableEngine engine, Iterable<Tag> tags) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Meters for this engine, without tags of their own.
     *
     * @param engine the engine to read, on every scrape
     */
    public CacheproxyMetrics(ObservableEngine engine) {
        this(engine, Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "cacheproxy.requests", "requests answered from the cache (hit) or sent to the origin (miss)",
                Tags.of("result", "hit"), EngineStatistics::hits);
        counter(registry, "cacheproxy.requests", "requests answered from the cache (hit) or sent to the origin (miss)",
                Tags.of("result", "miss"), EngineStatistics::misses);
        counter(registry, "cacheproxy.stale.served", "stale responses served (stale-while-revalidate, stale-if-error, max-stale)",
                Tags.empty(), EngineStatistics::staleServed);
        counter(registry, "cacheproxy.revalidations", "validations of stored responses, by the origin's answer",
                Tags.of("result", "not_modified"), EngineStatistics::revalidatedNotModified);
        counter(registry, "cacheproxy.revalidations", "validations of stored responses, by the origin's answer",
                Tags.of("result", "modified"), EngineStatistics::revalidatedModified);
        counter(registry, "cacheproxy.collapsed.waits", "requests that waited for the same request on its way to the origin",
                Tags.empty(), EngineStatistics::collapsedWaits);
        counter(registry, "cacheproxy.stores", "responses written to the store", Tags.empty(), EngineStatistics::stored);
        counter(registry, "cacheproxy.store.skips", "responses not stored, by reason",
                Tags.of("reason", "too_big"), EngineStatistics::skippedTooBig);
        counter(registry, "cacheproxy.store.skips", "responses not stored, by reason",
                Tags.of("reason", "not_cacheable"), EngineStatistics::skippedNotCacheable);
        counter(registry, "cacheproxy.store.skips", "responses not stored, by reason",
                Tags.of("reason", "incomplete"), EngineStatistics::skippedIncomplete);
        counter(registry, "cacheproxy.store.faults", "store operations that failed (served as misses or skipped)",
                Tags.empty(), EngineStatistics::storeFaults);
        counter(registry, "cacheproxy.origin.errors", "requests to the origin that failed: refused, reset, timed out",
                Tags.empty(), EngineStatistics::originErrors);
        FunctionTimer.builder("cacheproxy.origin.latency", engine,
                        source -> source.statistics().originLatency().count(),
                        source -> source.statistics().originLatency().total().toNanos(), TimeUnit.NANOSECONDS)
                .description("time from sending a request to the origin to its response head or failure")
                .tags(tags)
                .register(registry);
        TimeGauge.builder("cacheproxy.origin.latency.max", engine, TimeUnit.NANOSECONDS,
                        source -> source.statistics().originLatency().max().toNanos())
                .description("the longest time to the origin's response head or failure since the engine started")
                .tags(tags)
                .register(registry);
        if (engine.statistics().store().isPresent()) {
            gauge(registry, "cacheproxy.entries", "entries in the store, one per URL with all its variants", null,
                    CacheStoreStatistics::entries);
            gauge(registry, "cacheproxy.size", "approximate size of the stored entries", BaseUnits.BYTES,
                    CacheStoreStatistics::bytes);
            FunctionCounter.builder("cacheproxy.evictions", engine, storeValue(CacheStoreStatistics::evictions))
                    .description("entries the store dropped to stay within its size")
                    .tags(tags)
                    .register(registry);
        }
        engine.whenBackendReportAdded(report -> bindBackends(registry, report));
    }

    /** Meters for each backend of a report; they read the report when scraped, so they follow its figures. */
    private void bindBackends(MeterRegistry registry, BackendReport report) {
        List<BackendStatistics> rows = report.backends();
        for (int i = 0; i < rows.size(); i++) {
            int index = i;
            Tags backendTags = Tags.concat(tags, Tags.of("pool", rows.get(i).pool(), "backend", rows.get(i).backend().toString()));
            FunctionCounter.builder("cacheproxy.backend.requests", report, source -> backendValue(source, index, BackendStatistics::requests))
                    .description("requests sent to the backend, retries included").tags(backendTags).register(registry);
            FunctionCounter.builder("cacheproxy.backend.failures", report, source -> backendValue(source, index, BackendStatistics::failures))
                    .description("requests to the backend that failed (refused, reset, timed out, or a 5xx that counts)")
                    .tags(backendTags).register(registry);
            FunctionCounter.builder("cacheproxy.backend.ejections", report, source -> backendValue(source, index, BackendStatistics::ejections))
                    .description("times the backend was taken out, passively or by health checks").tags(backendTags).register(registry);
            Gauge.builder("cacheproxy.backend.active", report, source -> backendValue(source, index, BackendStatistics::active))
                    .description("requests on their way to the backend").tags(backendTags).register(registry);
            Gauge.builder("cacheproxy.backend.up", report, source -> backendValue(source, index,
                            row -> row.state() == BackendStatistics.State.HEALTHY ? 1 : 0))
                    .description("1 when the backend takes requests, 0 when it is ejected or down").tags(backendTags).register(registry);
            FunctionTimer.builder("cacheproxy.backend.latency", report,
                            source -> (long) backendValue(source, index, row -> row.latency().count()),
                            source -> backendValue(source, index, row -> row.latency().total().toNanos()), TimeUnit.NANOSECONDS)
                    .description("time from sending a request to the backend to its response head or failure")
                    .tags(backendTags).register(registry);
        }
    }

    /** A backend's figure, or NaN when the report no longer has that row. */
    private static double backendValue(BackendReport report, int index, ToLongFunction<BackendStatistics> value) {
        List<BackendStatistics> rows = report.backends();
        return index < rows.size() ? value.applyAsLong(rows.get(index)) : Double.NaN;
    }

    private void counter(MeterRegistry registry, String name, String description, Tags extra, ToLongFunction<EngineStatistics> count) {
        FunctionCounter.builder(name, engine, source -> count.applyAsLong(source.statistics()))
                .description(description)
                .tags(Tags.concat(tags, extra))
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, String baseUnit, ToLongFunction<CacheStoreStatistics> value) {
        Gauge.builder(name, engine, storeValue(value))
                .description(description)
                .baseUnit(baseUnit)
                .tags(tags)
                .register(registry);
    }

    /** A store figure, or NaN (Micrometer's "no value") when the store cannot tell at the moment. */
    private static ToDoubleFunction<ObservableEngine> storeValue(ToLongFunction<CacheStoreStatistics> value) {
        return source -> source.statistics().store().map(value::applyAsLong).map(Long::doubleValue).orElse(Double.NaN);
    }
}
