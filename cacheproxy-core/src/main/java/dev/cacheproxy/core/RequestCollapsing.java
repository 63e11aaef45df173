package dev.cacheproxy.core;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.Collapsing;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.ForwardReason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Request collapsing: while one request for a key is on its way to the origin (the leader), others for
 * the same key wait for it rather than go too. When the leader's exchange has ended (its response
 * stored, not storable, or failed) the waiters look in the store again: a response that may be shared
 * is a hit for each of them; anything else (private, no-store, another Vary variant, a failure) is a
 * miss, and each goes to the origin on its own. No response is ever handed from one request to
 * another except through the store, so the store's rules decide what is shared.
 */
final class RequestCollapsing {

    /** One leader's exchange in progress, and what its waiters wait on. */
    private record Flight(ToOrigin leader, Instant startedAt, CompletableFuture<Void> landed) {
    }

    private final ConcurrentMap<CacheKey, Flight> flights = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Optional<RememberedMisses> rememberedMisses;
    private final GuardedPolicy policy;

    /**
     * @param timeout          how long a waiter waits, and after which a flight that never landed is
     *                         replaced; zero turns collapsing off
     * @param rememberedMisses keys whose last response was not storable, which never wait
     * @param policy           may keep a request out of collapsing
     */
    RequestCollapsing(Duration timeout, Optional<RememberedMisses> rememberedMisses, GuardedPolicy policy) {
        this.timeout = timeout;
        this.rememberedMisses = rememberedMisses;
        this.policy = policy;
    }

    /**
     * The plan as {@link #leadOrWait} makes it, unless the key is a remembered miss (its last response was
     * not storable, so waiting would only queue requests: Varnish's hit-for-miss) or the policy keeps the
     * request out of collapsing; then the plan goes on alone, saying why in {@code Cache-Status}.
     */
    ExchangePlan.OnClientRequest plan(ToOrigin plan, boolean mayWait, Instant now) {
        if (!wouldCollapse(plan, mayWait)) {
            return plan;
        }
        Optional<RememberedMisses.Miss> remembered = rememberedMisses.flatMap(misses -> misses.remembered(plan.key(), now));
        if (remembered.isPresent()) {
            return withDetail(plan, "remembered miss (" + remembered.get().reason() + ")");
        }
        if (policy.collapsing(plan.clientRequest(), now) instanceof Collapsing.Refused refused) {
            return withDetail(plan, refused.reason());
        }
        return leadOrWait(plan, mayWait, now);
    }

    private static ToOrigin withDetail(ToOrigin plan, String more) {
        CacheStatus status = plan.cacheStatus();
        return new ToOrigin(plan.clientRequest(), plan.key(), plan.setFields(), plan.removeFields(), plan.validating(),
                plan.requestTime(), status.withDetail(status.detail().map(detail -> detail + "; ").orElse("") + more));
    }

    /**
     * The plan itself when this request leads (or may not collapse), or a {@code Wait} for the request
     * for the same key already on its way. Only requests that would take a stored response collapse:
     * {@code GET} and {@code HEAD} on a miss or a stale response, not other methods, and not a request
     * whose own directives ask for the origin. {@code mayWait} is false once a request has waited: it
     * then goes to the origin without leading, so that a later request does not wait on it.
     */
    ExchangePlan.OnClientRequest leadOrWait(ToOrigin plan, boolean mayWait, Instant now) {
        if (!wouldCollapse(plan, mayWait)) {
            return plan;
        }
        boolean head = plan.clientRequest().isMethod("HEAD");
        // A HEAD may wait for a GET on its way (its stored response answers the HEAD), but never leads:
        // its own response has no body to store for the GETs that would wait on it.
        Optional<CompletableFuture<Void>> inFlight = head ? inFlight(plan.key(), now) : leadOrWait(plan, now);
        return inFlight
                .<ExchangePlan.OnClientRequest>map(landed -> new ExchangePlan.Wait(landed, timeout,
                        plan.cacheStatus().withDetail("waiting for the same request already on its way to the origin")))
                .orElse(plan);
    }

    /** Whether {@link #leadOrWait} would make the plan wait or lead, rather than return it as it is. */
    boolean wouldCollapse(ToOrigin plan, boolean mayWait) {
        ForwardReason reason = plan.cacheStatus().forward().orElseThrow();
        return !timeout.isZero() && mayWait && (plan.clientRequest().isMethod("GET") || plan.clientRequest().isMethod("HEAD"))
                && (reason == ForwardReason.URI_MISS || reason == ForwardReason.VARY_MISS || reason == ForwardReason.STALE);
    }

    /**
     * The origin's answer to a leader, made to wake its waiters once what the store will hold is known:
     * when its body has been stored or given up, or at once when there is no body to store.
     */
    ExchangePlan.OnOriginResponse landing(ToOrigin toOrigin, ExchangePlan.OnOriginResponse plan) {
        if (timeout.isZero()) {
            return plan;
        }
        if (plan instanceof ExchangePlan.Relay relay && relay.capture() != BodyCapture.NONE) {
            return new ExchangePlan.Relay(relay.response(), landingWhenDone(toOrigin, relay.capture()), relay.cacheStatus());
        }
        land(toOrigin);
        return plan;
    }

    /**
     * Makes {@code plan} the leader for its key, or returns what to wait on when another leader is
     * already on its way (and not older than the timeout, which means its adapter lost track of it).
     */
    private Optional<CompletableFuture<Void>> leadOrWait(ToOrigin plan, Instant now) {
        Flight mine = new Flight(plan, now, new CompletableFuture<>());
        while (true) {
            Flight current = flights.putIfAbsent(plan.key(), mine);
            if (current == null) {
                return Optional.empty();
            }
            if (Duration.between(current.startedAt(), now).compareTo(timeout) < 0) {
                return Optional.of(current.landed());
            }
            if (flights.replace(plan.key(), current, mine)) {
                current.landed().complete(null);
                return Optional.empty();
            }
        }
    }

    /** What to wait on when a leader for this key is on its way (and not older than the timeout); never leads. */
    private Optional<CompletableFuture<Void>> inFlight(CacheKey key, Instant now) {
        Flight current = flights.get(key);
        return current != null && Duration.between(current.startedAt(), now).compareTo(timeout) < 0
                ? Optional.of(current.landed()) : Optional.empty();
    }

    /** The leader's exchange has ended: wake its waiters. Does nothing for a plan that is not a leader. */
    void land(ToOrigin plan) {
        Flight current = flights.get(plan.key());
        if (current != null && current.leader() == plan && flights.remove(plan.key(), current)) {
            current.landed().complete(null);
        }
    }

    /** A capture that lands the leader once its body has been stored or given up. */
    private BodyCapture landingWhenDone(ToOrigin plan, BodyCapture capture) {
        AtomicBoolean landed = new AtomicBoolean();
        return new BodyCapture() {
            @Override
            public void append(ByteBuffer chunk) {
                capture.append(chunk);
            }

            @Override
            public boolean isCapturing() {
                return capture.isCapturing();
            }

            @Override
            public void complete() {
                try {
                    capture.complete();
                } finally {
                    landOnce();
                }
            }

            @Override
            public void abandon(String reason) {
                try {
                    capture.abandon(reason);
                } finally {
                    landOnce();
                }
            }

            private void landOnce() {
                if (landed.compareAndSet(false, true)) {
                    land(plan);
                }
            }
        };
    }
}
