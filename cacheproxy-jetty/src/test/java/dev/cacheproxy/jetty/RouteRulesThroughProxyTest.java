package dev.cacheproxy.jetty;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import dev.cacheproxy.testing.OriginRendezvous;
import dev.cacheproxy.testing.RouteCases;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each route rule and request normalizer through a real origin, the caching proxy servlet and a real client. */
final class RouteRulesThroughProxyTest {

    private final ManualClock clock = ManualClock.atSystemTime();
    private final OriginRendezvous rendezvous = new OriginRendezvous();
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @AfterEach
    void stopEverything() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        store.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cacheproxy.testing.RouteCases#cases")
    void routeRulesAndNormalizersWorkThroughTheProxy(RouteCases.Case test) throws Exception {
        origin = new TestOrigin();
        AtomicInteger served = new AtomicInteger();
        int[] status = {200};
        String[][] lines = {new String[0]};
        for (String path : RouteCases.PATHS) {
            origin.route(path, request -> {
                rendezvous.arrive();
                return Reply.of(status[0], "#" + served.incrementAndGet()
                    + " ae=" + orDash(request.headers().get("Accept-Encoding"))
                    + " cookie=" + orDash(request.headers().get("Cookie"))
                    + " debug=" + orDash(request.headers().get("X-Debug")), lines[0]);
            });
        }
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().store(store).clock(clock)
                .routes(test.routes()).normalizeRequests(test.normalizer()).build());

        test.scenario().run(new RouteCases.Harness() {
            @Override
            public void originAnswers(int newStatus, String... headerLines) {
                status[0] = newStatus;
                lines[0] = headerLines;
            }

            @Override
            public RouteCases.Answer get(String path, String... headerLines) throws Exception {
                HttpResponse<String> response = proxy.get(path, headerLines);
                return new RouteCases.Answer(response.statusCode(), response.body(),
                        response.headers().firstValue("Cache-Status").orElse(""), response.headers().map());
            }

            @Override
            public int originRequests() {
                return served.get();
            }

            @Override
            public ManualClock clock() {
                return clock;
            }

            @Override
            public OriginRendezvous rendezvous() {
                return rendezvous;
            }

            @Override
            public List<RouteCases.Answer> getTogether(int count, String path) throws Exception {
                ExecutorService clients = Executors.newFixedThreadPool(count);
                try {
                    List<Future<RouteCases.Answer>> answers = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        answers.add(clients.submit(() -> get(path)));
                    }
                    List<RouteCases.Answer> got = new ArrayList<>();
                    for (Future<RouteCases.Answer> answer : answers) {
                        got.add(answer.get(60, TimeUnit.SECONDS));
                    }
                    return got;
                } finally {
                    clients.shutdownNow();
                }
            }
        });
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
