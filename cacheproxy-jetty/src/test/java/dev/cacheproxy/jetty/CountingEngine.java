package dev.cacheproxy.jetty;

import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.OriginFailure;
import dev.cacheproxy.api.ProxyEngine;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real engine, counting which phase-1 calls were made and what they answered: a test-only view
 * that decides nothing. Each {@code Wait} it hands out also counts down {@code waiting}.
 */
final class CountingEngine implements ProxyEngine {

    final AtomicInteger onClientRequests = new AtomicInteger();
    final AtomicInteger answeredFromCache = new AtomicInteger();
    final AtomicInteger waits = new AtomicInteger();
    private final ProxyEngine engine;
    private final CountDownLatch waiting;

    CountingEngine(ProxyEngine engine) {
        this(engine, new CountDownLatch(0));
    }

    CountingEngine(ProxyEngine engine, CountDownLatch waiting) {
        this.engine = engine;
        this.waiting = waiting;
    }

    @Override
    public ExchangePlan.OnClientRequest onClientRequest(RequestHead clientRequest) {
        onClientRequests.incrementAndGet();
        ExchangePlan.OnClientRequest plan = engine.onClientRequest(clientRequest);
        if (plan instanceof ExchangePlan.Wait) {
            waits.incrementAndGet();
            waiting.countDown();
        }
        return plan;
    }

    @Override
    public Optional<ExchangePlan.Answer> answerFromCache(RequestHead clientRequest) {
        Optional<ExchangePlan.Answer> answer = engine.answerFromCache(clientRequest);
        answer.ifPresent(ignored -> answeredFromCache.incrementAndGet());
        return answer;
    }

    @Override
    public ExchangePlan.OnClientRequest onClientRequestAfterWait(RequestHead clientRequest) {
        return engine.onClientRequestAfterWait(clientRequest);
    }

    @Override
    public ExchangePlan.OnOriginResponse onOriginResponse(ExchangePlan.ToOrigin toOrigin, ResponseHead originResponse) {
        return engine.onOriginResponse(toOrigin, originResponse);
    }

    @Override
    public ExchangePlan.OnOriginFailure onOriginFailure(ExchangePlan.ToOrigin toOrigin, OriginFailure failure) {
        return engine.onOriginFailure(toOrigin, failure);
    }

    @Override
    public void onRefreshDeclined(ExchangePlan.ToOrigin refresh) {
        engine.onRefreshDeclined(refresh);
    }
}
