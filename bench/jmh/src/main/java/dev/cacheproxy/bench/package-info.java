/**
 * JMH micro-benchmarks of cacheproxy's hot paths ({@code bench/run-jmh.sh}, Maven profile {@code bench}),
 * written against the public API only. What they measure, and how to compare runs, is in
 * {@code bench/README.md}; their figures live there and in the change log, not in Javadoc.
 */
package dev.cacheproxy.bench;
