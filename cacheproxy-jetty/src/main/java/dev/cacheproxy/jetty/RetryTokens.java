package dev.cacheproxy.jetty;

import java.time.Clock;

/** A {@link RetryBudget} being spent: each request deposits its ratio of a retry, each retry takes one. */
final class RetryTokens {

    /** Retries saved from quiet times never make more than this burst, in thousandths of a retry. */
    private static final long MAX_SAVED = 100_000;
    private static final long ONE_RETRY = 1000;

    private final RetryBudget budget;
    private final Clock clock;
    /** Thousandths of a retry, so that ten requests at 0.1 make exactly one. */
    private final long deposit;
    private long saved;
    private long second;
    private int spentThisSecond;

    RetryTokens(RetryBudget budget, Clock clock) {
        this.budget = budget;
        this.clock = clock;
        this.deposit = Math.round(budget.ratio() * ONE_RETRY);
    }

    synchronized void requestSent() {
        saved = Math.min(MAX_SAVED, saved + deposit);
    }

    /** Whether one more retry is within the budget; if so it is spent. */
    synchronized boolean tryRetry() {
        if (saved >= ONE_RETRY) {
            saved -= ONE_RETRY;
            return true;
        }
        long now = clock.millis() / 1000;
        if (now != second) {
            second = now;
            spentThisSecond = 0;
        }
        if (spentThisSecond < budget.minRetriesPerSecond()) {
            spentThisSecond++;
            return true;
        }
        return false;
    }
}
