package dev.cacheproxy.core;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
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

    /** @param timeout how long a waiter waits, and after which a flight that never landed is replaced */
    RequestCollapsing(Duration timeout) {
        this.timeout = timeout;
    }

    /** How long a waiter waits before it goes to the origin itself. */
    Duration timeout() {
        return timeout;
    }

    /**
     * Makes {@code plan} the leader for its key, or returns what to wait on when another leader is
     * already on its way (and not older than the timeout, which means its adapter lost track of it).
     */
    Optional<CompletableFuture<Void>> leadOrWait(ToOrigin plan, Instant now) {
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
    Optional<CompletableFuture<Void>> inFlight(CacheKey key, Instant now) {
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
    BodyCapture landingWhenDone(ToOrigin plan, BodyCapture capture) {
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
