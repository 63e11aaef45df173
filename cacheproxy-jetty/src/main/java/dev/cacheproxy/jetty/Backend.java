package dev.cacheproxy.jetty;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.api.EngineStatistics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend of a {@link BackendPool}: where it is, how it has done, and whether it takes requests.
 * Its health changes under its own lock, which only failures, ejection ends and health checks take;
 * a successful request touches a volatile field at most.
 */
final class Backend {

    private static final Logger LOG = LoggerFactory.getLogger(Backend.class);

    final URI uri;
    /** The URI without a trailing slash, to which a health check's path (beginning with /) is appended. */
    final String base;
    /** Its scheme and authority, to which a request's backend path (the route's rewrite, pool path included) is appended. */
    final String origin;
    final int weight;
    final boolean backup;
    private final String pool;
    private final PassiveHealth passive;
    private final Clock clock;

    /** Smooth weighted round robin's running weight; guarded by the pool's lock. */
    int currentWeight;

    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong ejections = new AtomicLong();
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();
    private final AtomicLong latencyMaxNanos = new AtomicLong();

    // Health, guarded by this.
    private volatile int consecutiveFailures;
    private volatile Instant ejectedUntil; // null: not ejected
    private int ejectionMultiplier;
    private Instant lastEjectionEnd;
    /** After an ejection ended, one more failure ejects again, until a request succeeds. */
    private volatile boolean probation;
    private volatile boolean downByCheck;
    private int checksPassed;
    private int checksFailed;

    Backend(String pool, URI uri, int weight, boolean backup, PassiveHealth passive, Clock clock) {
        this.pool = pool;
        this.uri = uri;
        this.origin = BackendPool.originOf(uri);
        this.base = origin + BackendPool.pathOf(uri);
        this.weight = weight;
        this.backup = backup;
        this.passive = passive;
        this.clock = clock;
    }

    /** Whether it takes requests at this instant: not down by health checks and not ejected. */
    boolean available(Instant now) {
        if (downByCheck) {
            return false;
        }
        Instant until = ejectedUntil;
        if (until == null) {
            return true;
        }
        if (now.isBefore(until)) {
            return false;
        }
        endEjection(now);
        return true;
    }

    private synchronized void endEjection(Instant now) {
        if (ejectedUntil != null && !now.isBefore(ejectedUntil)) {
            ejectedUntil = null;
            probation = true;
            LOG.info("backend {} of pool {}: back in the pool after its ejection (the next failure ejects it again)", uri, pool);
        }
    }

    int active() {
        return active.get();
    }

    /** A request is on its way to it. */
    void sent() {
        requests.increment();
        active.incrementAndGet();
    }

    /** A request to it has ended, however it ended. */
    void finished() {
        active.decrementAndGet();
    }

    /**
     * Its response head arrived after this many nanoseconds; the status counts as a failure when the pool's
     * passive health counts it (by default 502, 503 and 504 only), else as a success.
     */
    void responded(int status, long nanos) {
        latency(nanos);
        if (passive.countedStatuses().counts(status)) {
            failed("status " + status);
        } else {
            succeeded();
        }
    }

    /** A request to it failed (refused, reset, timed out) after this many nanoseconds. */
    void failed(String problem, long nanos) {
        latency(nanos);
        failed(problem);
    }

    private void succeeded() {
        if (consecutiveFailures != 0 || probation) {
            synchronized (this) {
                consecutiveFailures = 0;
                probation = false;
            }
        }
    }

    private synchronized void failed(String problem) {
        failures.increment();
        if (!passive.enabled()) {
            return;
        }
        consecutiveFailures++;
        Instant now = clock.instant();
        if (ejectedUntil != null && now.isBefore(ejectedUntil)) {
            return; // already out (the pool is trying it in panic mode)
        }
        boolean returning = probation || ejectedUntil != null; // an ejection that ended, noticed or not
        if (consecutiveFailures < passive.consecutiveFailures() && !returning) {
            return;
        }
        // Envoy's rule: each ejection time spent in the pool since the last ejection ended takes one off the multiplier.
        if (ejectionMultiplier > 0 && lastEjectionEnd != null) {
            long calm = Duration.between(lastEjectionEnd, now).toMillis() / passive.ejectionTime().toMillis();
            ejectionMultiplier = (int) Math.max(0, ejectionMultiplier - calm);
        }
        ejectionMultiplier++;
        Duration ejection = passive.ejectionFor(ejectionMultiplier);
        ejectedUntil = now.plus(ejection);
        checksPassed = 0; // passes before the ejection say nothing about the backend now
        lastEjectionEnd = ejectedUntil;
        ejections.incrementAndGet();
        int failed = consecutiveFailures;
        consecutiveFailures = 0;
        probation = false;
        LOG.warn("backend {} of pool {}: ejected for {} after {} failure{} in a row (last: {})", uri, pool, human(ejection),
                failed, failed == 1 ? "" : "s", brief(problem));
    }

    /**
     * An active health check passed. Enough passes in a row bring a down backend back, and end a passive
     * ejection early too (as Envoy does by default): the checks say it works again, so it need not sit
     * out an ejection that grew while it was dead.
     */
    synchronized void checkPassed(HealthCheck check) {
        checksFailed = 0;
        checksPassed++;
        if (checksPassed < check.healthyThreshold()) {
            return;
        }
        Instant now = clock.instant();
        boolean ejected = ejectedUntil != null && now.isBefore(ejectedUntil);
        if (downByCheck || ejected) {
            downByCheck = false;
            if (ejectedUntil != null) {
                // Over now, or over already while it was down: either way this line says it is back.
                lastEjectionEnd = ejected ? now : ejectedUntil;
                ejectedUntil = null;
                probation = true;
            }
            LOG.info("backend {} of pool {}: up after {} passed health check{}", uri, pool, checksPassed,
                    checksPassed == 1 ? "" : "s");
        }
    }

    /** An active health check failed. */
    synchronized void checkFailed(HealthCheck check, String problem) {
        checksPassed = 0;
        checksFailed++;
        if (!downByCheck && checksFailed >= check.unhealthyThreshold()) {
            downByCheck = true;
            ejections.incrementAndGet();
            LOG.warn("backend {} of pool {}: down after {} failed health check{} (last: {})", uri, pool, checksFailed,
                    checksFailed == 1 ? "" : "s", brief(problem));
        }
    }

    BackendStatistics.State state(Instant now) {
        if (downByCheck) {
            return BackendStatistics.State.DOWN;
        }
        Instant until = ejectedUntil;
        return until != null && now.isBefore(until) ? BackendStatistics.State.EJECTED : BackendStatistics.State.HEALTHY;
    }

    BackendStatistics statistics(Instant now) {
        return new BackendStatistics(pool, uri, state(now), weight, backup, requests.sum(), failures.sum(),
                Math.max(0, active.get()), ejections.get(), new EngineStatistics.OriginLatency(latencyCount.sum(),
                        Duration.ofNanos(latencyNanos.sum()), Duration.ofNanos(latencyMaxNanos.get())));
    }

    private void latency(long nanos) {
        long measured = Math.max(0, nanos);
        latencyCount.increment();
        latencyNanos.add(measured);
        latencyMaxNanos.accumulateAndGet(measured, Math::max);
    }

    /** Jetty's messages can carry a whole connection's state: one log line needs the start of it. */
    private static String brief(String problem) {
        return problem.length() <= 120 ? problem : problem.substring(0, 117) + "...";
    }

    private static String human(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
