package dev.cacheproxy.servlet;

import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.RequestHead;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waiting out an {@link ExchangePlan.Wait} (request collapsing) in a servlet container, the two ways
 * there are: without holding a thread, by suspending the request and dispatching it again once the
 * request it waits for has landed (a servlet mapped for async dispatches); or on the request's thread
 * (a filter, which sees {@code REQUEST} dispatches only). Either way it waits at most the plan's
 * timeout, then the engine is asked again ({@link ProxyEngine#onClientRequestAfterWait}).
 */
public final class CollapsingWait {

    private static final Logger LOG = LoggerFactory.getLogger(CollapsingWait.class);
    /** Marks a request dispatched again after waiting. */
    private static final String WAITED_ATTRIBUTE = CollapsingWait.class.getName() + ".waited";

    private CollapsingWait() {
    }

    /**
     * Suspends the request until the response it waits for has landed or the wait timed out, then
     * dispatches it to the same servlet again, where {@link #waited} is true. Holds no thread.
     *
     * @param clientRequest the request that waits; async-supported
     * @param wait          the engine's plan
     */
    public static void suspendThenDispatch(HttpServletRequest clientRequest, ExchangePlan.Wait wait) {
        clientRequest.setAttribute(WAITED_ATTRIBUTE, Boolean.TRUE);
        AsyncContext async = clientRequest.startAsync();
        async.setTimeout(0); // the wait's own timeout applies, below
        // A dependent future: timing it out must not complete the one every waiter shares.
        wait.ready().toCompletableFuture()
                .thenApply(landed -> landed)
                .completeOnTimeout(null, wait.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((landed, failure) -> async.dispatch());
    }

    /**
     * Whether this request is the dispatch that follows {@link #suspendThenDispatch}: it asks {@code onClientRequestAfterWait}.
     *
     * @param clientRequest the client's request
     * @return {@code true} for the dispatch after a wait
     */
    public static boolean waited(HttpServletRequest clientRequest) {
        return clientRequest.getAttribute(WAITED_ATTRIBUTE) != null;
    }

    /**
     * Waits on this thread for the request it waits for (at most the plan's timeout), then asks the engine again.
     *
     * @param engine        the engine to ask again
     * @param clientRequest the request that waits
     * @param wait          the engine's plan
     * @return the engine's plan after the wait
     */
    public static ExchangePlan.OnClientRequest blockThenAsk(ProxyEngine engine, RequestHead clientRequest, ExchangePlan.Wait wait) {
        try {
            wait.ready().toCompletableFuture().get(wait.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException goOnAnyway) {
            LOG.debug("waited for another request to {}: {}", clientRequest.uri(), goOnAnyway.toString());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return engine.onClientRequestAfterWait(clientRequest);
    }
}
