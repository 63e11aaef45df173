/**
 * Test support published in cacheproxy-core's test-jar: a {@link java.time.Clock} that tests advance by
 * hand instead of sleeping ({@code ManualClock}).
 */
package dev.cacheproxy.testing;
