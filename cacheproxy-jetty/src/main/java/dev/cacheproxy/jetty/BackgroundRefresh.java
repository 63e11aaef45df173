package dev.cacheproxy.jetty;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.ResponseHead;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@code stale-while-revalidate} refresh (RFC 5861 §3) to the origin after the client has been
 * answered from the cache, and hands its outcome to the engine like any other origin response: the
 * body goes through the capture the engine returns, so the store is updated only with a whole body.
 */
final class BackgroundRefresh {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundRefresh.class);

    private BackgroundRefresh() {
    }

    /**
     * Sends the refresh; returns at once, the outcome arrives on Jetty's client threads. The request
     * carries the fields a foreground request to this backend would (the servlet's hooks and forwarding
     * fields included): an origin that needs a credential a hook adds must not see a refresh without it.
     */
    static void send(Request originRequest, ProxyEngine engine, ExchangePlan.ToOrigin refresh, Backend backend) {
        AtomicReference<BodyCapture> capture = new AtomicReference<>(BodyCapture.NONE);
        long sent = System.nanoTime();
        backend.sent();
        originRequest.onResponseHeaders(originResponse -> {
            backend.responded(originResponse.getStatus(), System.nanoTime() - sent);
            Optional<ResponseHead> head = FromJetty.headOrAbort(originResponse);
            if (head.isEmpty()) {
                return;
            }
            ExchangePlan.OnOriginResponse plan = engine.onOriginResponse(refresh, head.get());
            if (plan instanceof ExchangePlan.Relay relay) {
                capture.set(relay.capture());
            }
        });
        originRequest.onResponseContent((originResponse, chunk) -> capture.get().append(chunk));
        originRequest.send(result -> {
            backend.finished();
            if (result.isFailed() && (result.getResponse() == null || result.getResponse().getStatus() == 0)) {
                backend.failed(FromJetty.problem(result.getFailure()), System.nanoTime() - sent);
            }
            if (result.isSucceeded()) {
                capture.get().complete();
                return;
            }
            Throwable failure = result.getFailure();
            capture.get().abandon(String.valueOf(failure));
            if (result.getResponse() == null || result.getResponse().getStatus() == 0 || capture.get() == BodyCapture.NONE) {
                engine.onOriginFailure(refresh, FromJetty.originFailure(failure));
            }
            LOG.debug("background refresh of {} failed", refresh.key(), failure);
        });
    }
}
