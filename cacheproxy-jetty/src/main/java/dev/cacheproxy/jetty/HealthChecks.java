package dev.cacheproxy.jetty;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The active health checks of a proxy's pools, sent with the proxy's own Jetty {@link HttpClient} and
 * timed by its scheduler, so they hold no thread between checks. Started when the servlet starts,
 * stopped when it is destroyed; a check in flight when stopped no longer changes anything.
 *
 * <p>Checks go over connections of their own (a tagged destination of the client), never one of the
 * backend's {@linkplain BackendPool#maxConnectionsPerBackend() limited} connections: a backend busy with
 * requests up to its limit would otherwise queue its checks behind them, fail them on their timeout and
 * be marked down for being busy, and a check would take a connection a request was waiting for.
 */
final class HealthChecks {

    private record Target(BackendPool pool, Backend backend, HealthCheck check) {
    }

    /** What sets the checks' destinations (and so their connection pools) apart from the requests'. */
    private static final String CHECKS_TAG = "cacheproxy-health-checks";

    private final HttpClient client;
    private final List<Target> targets = new ArrayList<>();
    /** Each target's next check, to cancel on stop. */
    private final Map<Target, Scheduler.Task> next = new IdentityHashMap<>();
    private volatile boolean stopped;

    HealthChecks(HttpClient client, List<BackendPool> pools) {
        this.client = client;
        for (BackendPool pool : pools) {
            pool.healthCheck().ifPresent(check -> pool.members().forEach(backend -> targets.add(new Target(pool, backend, check))));
        }
    }

    /** Schedules each backend's checks, the first after one interval (backends start up). */
    synchronized void start() {
        for (Target target : targets) {
            scheduleNext(target);
        }
    }

    /** Stops every check; none runs or counts afterwards. */
    synchronized void stop() {
        stopped = true;
        next.values().forEach(Scheduler.Task::cancel);
        next.clear();
    }

    /** Checks every backend once now, outside the schedule; completes when every check has counted. For tests. */
    CompletableFuture<Void> checkAllNow() {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (Target target : targets) {
            checks.add(check(target));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
    }

    private synchronized void scheduleNext(Target target) {
        if (stopped) {
            return;
        }
        next.put(target, client.getScheduler().schedule(() -> check(target).whenComplete((done, failure) -> scheduleNext(target)),
                target.check().interval().toMillis(), TimeUnit.MILLISECONDS));
    }

    private CompletableFuture<Void> check(Target target) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (stopped) {
            done.complete(null);
            return done;
        }
        HealthCheck check = target.check();
        try {
            client.newRequest(target.backend().base + check.path())
                    .method("GET")
                    .tag(CHECKS_TAG)
                    .timeout(check.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .headers(headers -> headers.put("User-Agent", "cacheproxy-health-check"))
                    .send(result -> {
                        count(target, result);
                        done.complete(null);
                    });
        } catch (RuntimeException cannotSend) {
            if (!stopped) {
                target.backend().checkFailed(check, FromJetty.problem(cannotSend));
            }
            done.complete(null);
        }
        return done;
    }

    private void count(Target target, Result result) {
        if (stopped) {
            return;
        }
        HealthCheck check = target.check();
        if (result.isFailed() && (result.getResponse() == null || result.getResponse().getStatus() == 0)) {
            target.backend().checkFailed(check, FromJetty.problem(result.getFailure()));
        } else if (check.passes(result.getResponse().getStatus())) {
            target.backend().checkPassed(check);
        } else {
            target.backend().checkFailed(check, "status " + result.getResponse().getStatus());
        }
    }
}
