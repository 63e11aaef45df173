/**
 * The engine's statistics for Micrometer: {@link dev.cacheproxy.core.metrics.CacheproxyMetrics}, a
 * {@code MeterBinder} over any {@link dev.cacheproxy.api.ObservableEngine}. Micrometer is an optional
 * dependency: this package is the only one that needs it.
 */
package dev.cacheproxy.core.metrics;
