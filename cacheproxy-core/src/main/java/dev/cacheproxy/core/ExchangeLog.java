package dev.cacheproxy.core;

import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.RequestHead;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's log: at DEBUG one line per exchange, written when its outcome is decided, with the same
 * reason {@code Cache-Status} carries; at WARN origin faults, at most once per interval so that an
 * origin that is down cannot flood the log. Nothing at INFO per request. Logs under the engine's name,
 * {@code dev.cacheproxy.core.CachingEngine}.
 */
final class ExchangeLog {

    private static final Logger LOG = LoggerFactory.getLogger(CachingEngine.class);

    private final LogThrottle originFaults;

    ExchangeLog(Duration warnInterval) {
        this.originFaults = new LogThrottle(warnInterval);
    }

    /** The exchange's outcome: a final plan (an answer, a relay, a failure), never an intermediate one. */
    void decided(RequestHead request, ExchangePlan plan) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {}: {}", request.method(), request.uri(), plan.getClass().getSimpleName(),
                    plan.cacheStatus().toHeaderValue());
        }
    }

    /** The origin failed for this request. */
    void originFailed(ExchangePlan.ToOrigin toOrigin, OriginFailure failure) {
        long suppressed = originFaults.tryAcquire();
        if (suppressed >= 0) {
            LOG.warn("origin {} for {} {}: {} ({} similar faults not logged since the last one)",
                    failure instanceof OriginFailure.TimedOut ? "timed out" : "failed", toOrigin.clientRequest().method(),
                    toOrigin.key(), failure.problem(), suppressed);
        }
    }
}
