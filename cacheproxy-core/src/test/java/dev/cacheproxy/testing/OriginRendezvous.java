package dev.cacheproxy.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells whether requests reached a test origin at the same time: once armed for n requests, the origin
 * holds each one until n are there (or the patience has run out), and records whether they all met.
 * A cache that made them wait for one another never lets them meet. Thread safe.
 */
public final class OriginRendezvous {

    private volatile CountDownLatch expected;
    private volatile Duration patience = Duration.ZERO;
    private final AtomicBoolean met = new AtomicBoolean();

    /** Holds the next requests until this many are at the origin at once, each for at most {@code patience}. */
    public void expect(int requests, Duration patience) {
        this.patience = patience;
        met.set(false);
        expected = new CountDownLatch(requests);
    }

    /** Called by the origin for each request before it answers. */
    public void arrive() throws InterruptedException {
        CountDownLatch latch = expected;
        if (latch == null) {
            return;
        }
        latch.countDown();
        if (latch.await(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            met.set(true);
        }
    }

    /** Whether the expected requests were at the origin at the same time. */
    public boolean met() {
        return met.get();
    }
}
