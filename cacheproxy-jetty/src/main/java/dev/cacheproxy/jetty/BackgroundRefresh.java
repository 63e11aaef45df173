package dev.cacheproxy.jetty;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.ResponseHead;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.HttpClient;
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

    /** The client message's own framing, which Jetty's client sets for the request it sends. */
    private static final Set<String> FRAMING = Set.of("host", "content-length", "expect");

    private BackgroundRefresh() {
    }

    /** Sends the refresh to this backend's target; returns at once, the outcome arrives on Jetty's client threads. */
    static void send(HttpClient client, ProxyEngine engine, ExchangePlan.ToOrigin refresh, long timeoutMillis,
                     Backend backend, String target) {
        Request originRequest = client.newRequest(target).method("GET");
        if (timeoutMillis > 0) {
            originRequest.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        originRequest.headers(headers -> {
            for (HeaderField line : refresh.originFields().lines()) {
                if (!FRAMING.contains(line.lowerCaseName())) {
                    headers.add(line.name(), line.value());
                }
            }
        });
        AtomicReference<BodyCapture> capture = new AtomicReference<>(BodyCapture.NONE);
        long sent = System.nanoTime();
        backend.sent();
        originRequest.onResponseHeaders(originResponse -> {
            backend.responded(originResponse.getStatus(), System.nanoTime() - sent);
            Optional<ResponseHead> head = FromJetty.responseHead(originResponse);
            if (head.isEmpty()) {
                originResponse.abort(new FromJetty.BrokenOriginResponse("the origin sent an invalid status code " + originResponse.getStatus()));
                return;
            }
            Optional<String> faulty = FromJetty.faultyFraming(originResponse);
            if (faulty.isPresent()) {
                originResponse.abort(new FromJetty.BrokenOriginResponse(faulty.get()));
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
