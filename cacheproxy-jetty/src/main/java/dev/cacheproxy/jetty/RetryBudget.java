package dev.cacheproxy.jetty;

/**
 * How many retries a pool may send on top of its requests, so that retries cannot multiply the load on
 * backends that are already failing (Envoy's and Finagle's retry budgets): at any time, retries may add
 * up to {@code ratio} of the requests sent, plus {@code minRetriesPerSecond} for quiet periods.
 * A retry is only ever of an idempotent request without a body that failed before its response began
 * ({@link BackendPool}); a request whose connection failed before anything was sent goes to another
 * backend once without drawing on the budget.
 *
 * @param ratio               retries allowed per request, from 0 (no retries) to 1
 * @param minRetriesPerSecond retries allowed each second however few requests there are
 */
public record RetryBudget(double ratio, int minRetriesPerSecond) {

    /** Retries add at most 20% to the requests, and at least 3 a second are allowed. */
    public static final RetryBudget DEFAULT = new RetryBudget(0.2, 3);

    /** No retries after a request was sent. */
    public static final RetryBudget NONE = new RetryBudget(0, 0);

    /**
     * Checks the components: an invalid value throws {@code IllegalArgumentException}.
     *
     * @param ratio               retries allowed per request, from 0 (no retries) to 1
     * @param minRetriesPerSecond retries allowed each second however few requests there are
     */
    public RetryBudget {
        if (!(ratio >= 0 && ratio <= 1) || minRetriesPerSecond < 0) {
            throw new IllegalArgumentException("a retry budget needs a ratio from 0 to 1 and a minimum of 0 or more, got "
                    + ratio + " and " + minRetriesPerSecond);
        }
    }
}
