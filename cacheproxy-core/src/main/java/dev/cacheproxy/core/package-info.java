/**
 * The RFC 9111 rules and the engine that sequences them.
 *
 * <p>{@link dev.cacheproxy.core.CachingEngine} (built with its builder) is the
 * {@link dev.cacheproxy.api.ProxyEngine}; {@link dev.cacheproxy.core.Rfc9111Policy} is the default
 * {@link dev.cacheproxy.api.CachePolicy}. Everything else is package-private, one class per question:
 * <ul>
 *   <li>rules, pure functions of their inputs and {@code now}, each citing its RFC section:
 *       {@code StorageRule} (§3), {@code StoredFieldsRule} (§3.1), {@code VaryRule} (§4.1),
 *       {@code FreshnessRule} (§4.2), {@code ReuseRule} (§4), {@code StaleRule} (§4.2.4, RFC 5861),
 *       {@code ValidationRule} (§4.3.1, §4.3.2), {@code NotModifiedRule} (§3.2, §4.3.4),
 *       {@code InvalidationRule} (§4.4), {@code RangeRule} (RFC 9110 §14), {@code CacheControl} and
 *       {@code ResponseDirectives} (§5.2, RFC 9213);</li>
 *   <li>what the engine does with their answers: {@code StoredAnswers} (a hit), {@code StoringRelay}
 *       (a miss relayed and stored), {@code StoredResponseUpdate} (a 304 or a {@code HEAD} updating a
 *       stored response), {@code OriginFailureAnswers} (a stale response or a 502/504),
 *       {@code BackgroundRefreshes} ({@code stale-while-revalidate}), {@code RequestCollapsing};</li>
 *   <li>the seams where faults stop: {@code GuardedStore} and {@code GuardedPolicy}; and what is
 *       counted and logged: {@code EngineCounters}, {@code ExchangeLog}.</li>
 * </ul>
 */
package dev.cacheproxy.core;
