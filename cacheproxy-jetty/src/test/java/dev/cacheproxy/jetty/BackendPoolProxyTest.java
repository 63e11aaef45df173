package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** A proxy in front of a pool of three real backends on 127.0.0.1: balancing, health, failover and routing. */
final class BackendPoolProxyTest {

    private final ManualClock clock = ManualClock.atSystemTime();
    @AutoClose
    private final CachingEngine engine = CachingEngine.builder().build();
    @AutoClose
    private final TestOrigin a = named("a");
    @AutoClose
    private final TestOrigin b = named("b");
    @AutoClose
    private final TestOrigin c = named("c");
    @AutoClose
    private ProxyUnderTest proxy;
    @AutoClose("shutdownNow")
    private final ExecutorService clients = Executors.newFixedThreadPool(4);

    BackendPoolProxyTest() throws Exception {
    }

    /** A backend that answers every path with its name, uncacheable, so every request reaches a backend. */
    private static TestOrigin named(String name) {
        try {
            TestOrigin origin = new TestOrigin();
            for (String path : List.of("/", "/page", "/other", "/health")) {
                origin.route(path, TestOrigin.Reply.of(200, name, "Cache-Control", "no-store"));
            }
            return origin;
        } catch (Exception cannotStart) {
            throw new IllegalStateException(cannotStart);
        }
    }

    private BackendPool.Builder pool() {
        return BackendPool.builder("three").backend(URI.create(a.url())).backend(URI.create(b.url())).backend(URI.create(c.url()))
                .clock(clock);
    }

    private ProxyUnderTest start(BackendPool pool) throws Exception {
        return start(Routes.to(pool));
    }

    private ProxyUnderTest start(Routes routes) throws Exception {
        proxy = new ProxyUnderTest(new CachingProxyServlet(routes, engine), Map.of(), ProxyUnderTest.FrontEnd.CACHING_HANDLER);
        return proxy;
    }

    private Map<String, Integer> spread(int requests, String path) throws Exception {
        Map<String, Integer> answeredBy = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = proxy.get(path);
            assertEquals(200, response.statusCode(), response.body());
            answeredBy.merge(response.body(), 1, Integer::sum);
        }
        return answeredBy;
    }

    private BackendStatistics statisticsOf(TestOrigin origin) {
        return statisticsOf(origin.url());
    }

    private BackendStatistics statisticsOf(String url) {
        return engine.statistics().backends().stream().filter(row -> row.backend().toString().equals(url))
                .findFirst().orElseThrow();
    }

    /** Waits (at most 10 s, then fails) until the pool counts exactly this many requests on their way to the backend. */
    private void awaitInFlight(TestOrigin origin, int requests) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (statisticsOf(origin).active() != requests && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertEquals(requests, statisticsOf(origin).active(), "requests in flight to " + origin.url());
    }

    @Test
    void roundRobinSpreadsRequestsEvenlyOverThreeBackends() throws Exception {
        start(pool().build());
        assertEquals(Map.of("a", 10, "b", 10, "c", 10), spread(30, "/page"));
        assertEquals(10, statisticsOf(b).requests());
    }

    @Test
    void weightsGiveEachBackendItsShare() throws Exception {
        start(BackendPool.builder("weighted").backend(URI.create(a.url()), 3).backend(URI.create(b.url()))
                .backend(URI.create(c.url())).clock(clock).build());
        assertEquals(Map.of("a", 30, "b", 10, "c", 10), spread(50, "/page"));
    }

    @Test
    void leastRequestsSendsNewRequestsAwayFromABackendStillBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch arrived = new CountDownLatch(1);
        a.route("/slow", request -> {
            arrived.countDown();
            release.await(10, TimeUnit.SECONDS);
            return TestOrigin.Reply.of(200, "a", "Cache-Control", "no-store");
        });
        b.route("/slow", TestOrigin.Reply.of(200, "b", "Cache-Control", "no-store"));
        c.route("/slow", TestOrigin.Reply.of(200, "c", "Cache-Control", "no-store"));
        start(pool().balance(Balance.LEAST_REQUESTS).build());
        Future<HttpResponse<String>> held = null;
        // Whichever backend gets the first request, only a holds it.
        for (int i = 0; i < 3 && held == null; i++) {
            Future<HttpResponse<String>> pending = clients.submit(() -> proxy.get("/slow"));
            if (arrived.await(200, TimeUnit.MILLISECONDS)) {
                held = pending;
            } else {
                assertEquals(200, pending.get(10, TimeUnit.SECONDS).statusCode());
            }
        }
        assertTrue(held != null, "a got one of the first three requests");
        Map<String, Integer> meanwhile = spread(10, "/page");
        assertEquals(null, meanwhile.get("a"), "a, busy, gets none while b and c are idle: " + meanwhile);
        release.countDown();
        assertEquals("a", held.get(10, TimeUnit.SECONDS).body());
    }

    @Test
    void hashingOnTheCacheKeySendsEachKeyToOneBackend() throws Exception {
        for (TestOrigin origin : List.of(a, b, c)) {
            for (int i = 0; i < 30; i++) {
                origin.route("/item" + i, TestOrigin.Reply.of(200, origin == a ? "a" : origin == b ? "b" : "c", "Cache-Control", "no-store"));
            }
        }
        start(pool().balance(Balance.KEY_HASH).build());
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            Map<String, Integer> answeredBy = spread(4, "/item" + i);
            assertEquals(1, answeredBy.size(), "one key, one backend: " + answeredBy);
            used.addAll(answeredBy.keySet());
        }
        assertEquals(Set.of("a", "b", "c"), used, "keys spread over the three");
    }

    @Test
    void theCacheKeyDoesNotDependOnTheBackendThatAnswered() throws Exception {
        for (TestOrigin origin : List.of(a, b, c)) {
            origin.route("/cached", TestOrigin.Reply.of(200, origin == a ? "a" : origin == b ? "b" : "c", "Cache-Control", "max-age=60"));
        }
        start(pool().build());
        String first = proxy.get("/cached").body();
        for (int i = 0; i < 5; i++) {
            assertEquals(first, proxy.get("/cached").body(), "a hit, whichever backend is next in turn");
        }
        assertEquals(1, a.requestCount() + b.requestCount() + c.requestCount());
    }

    @Test
    void concurrentMissesForOneUrlCollapseIntoOneBackendRequestAcrossThePool() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger fetched = new AtomicInteger();
        for (TestOrigin origin : List.of(a, b, c)) {
            origin.route("/popular", request -> {
                fetched.incrementAndGet();
                release.await(10, TimeUnit.SECONDS);
                return TestOrigin.Reply.of(200, "popular", "Cache-Control", "max-age=60");
            });
        }
        start(pool().build());
        List<Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(clients.submit(() -> proxy.get("/popular")));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.statistics().collapsedWaits() < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        release.countDown();
        for (Future<HttpResponse<String>> answer : answers) {
            assertEquals("popular", answer.get(10, TimeUnit.SECONDS).body());
        }
        assertEquals(1, fetched.get(), "one backend request for four clients, whichever backend each would have gone to");
    }

    @Test
    void aBackendThatRefusesConnectionsCostsNoClientAnErrorIsEjectedAndComesBack() throws Exception {
        start(pool().build());
        b.stop();
        Map<String, Integer> answeredBy = spread(30, "/page");
        assertEquals(null, answeredBy.get("b"));
        assertEquals(30, answeredBy.values().stream().mapToInt(Integer::intValue).sum(), "every request answered 200");
        assertEquals(BackendStatistics.State.EJECTED, statisticsOf(b).state());
        assertEquals(3, statisticsOf(b).failures(), "three refusals eject it; no request tries it after that");
        assertEquals(1, statisticsOf(b).ejections());

        b.restart();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Map.of("a", 10, "b", 10, "c", 10), spread(30, "/page"), "back in turn once its ejection is over");
        assertEquals(BackendStatistics.State.HEALTHY, statisticsOf(b).state());
    }

    @Test
    void answers500And501FromEveryBackendEjectNoneByDefaultSoClientsCannotEmptyThePool() throws Exception {
        for (TestOrigin origin : List.of(a, b, c)) {
            origin.route("/broken", TestOrigin.Reply.of(500, "broken", "Cache-Control", "no-store"));
            origin.route("/unknown", TestOrigin.Reply.of(501, "not implemented", "Cache-Control", "no-store"));
        }
        try (TestOrigin backup = named("backup")) {
            start(pool().backup(URI.create(backup.url())).build());
            for (int i = 0; i < 12; i++) {
                assertEquals(500, proxy.get("/broken").statusCode());
                assertEquals(501, proxy.get("/unknown").statusCode());
            }
            for (TestOrigin origin : List.of(a, b, c)) {
                BackendStatistics backend = statisticsOf(origin);
                assertEquals(8, backend.requests(), "each backend kept its turn: " + origin.url());
                assertEquals(0, backend.failures(), "a 500 or 501 is not the backend's failure");
                assertEquals(0, backend.ejections());
                assertEquals(BackendStatistics.State.HEALTHY, backend.state());
            }
            assertEquals(Map.of("a", 10, "b", 10, "c", 10), spread(30, "/page"), "no traffic pushed to the backup");
            assertEquals(0, backup.requestCount());
        }
    }

    @Test
    void countingEvery5xxIsAnOptInThatEjectsABackendAnswering500() throws Exception {
        c.route("/page", TestOrigin.Reply.of(500, "c", "Cache-Control", "no-store"));
        start(pool().passiveHealth(PassiveHealth.DEFAULT.counting(PassiveHealth.CountedStatuses.ALL_5XX)).build());
        int errors = 0;
        for (int i = 0; i < 30; i++) {
            errors += proxy.get("/page").statusCode() == 500 ? 1 : 0;
        }
        assertEquals(3, errors, "c's 500s reach the client until the third ejects it");
        assertEquals(BackendStatistics.State.EJECTED, statisticsOf(c).state());
        assertEquals(3, statisticsOf(c).failures());
    }

    @Test
    void aBackendAnswering502Or504IsEjectedByDefault() throws Exception {
        b.route("/page", TestOrigin.Reply.of(502, "b", "Cache-Control", "no-store"));
        c.route("/page", TestOrigin.Reply.of(504, "c", "Cache-Control", "no-store"));
        start(pool().retriedStatuses(RetriedStatuses.NONE).build());
        Map<Integer, Integer> answeredBy = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            answeredBy.merge(proxy.get("/page").statusCode(), 1, Integer::sum);
        }
        assertEquals(Map.of(200, 24, 502, 3, 504, 3), answeredBy);
        assertEquals(BackendStatistics.State.EJECTED, statisticsOf(b).state());
        assertEquals(BackendStatistics.State.EJECTED, statisticsOf(c).state());
        assertEquals(BackendStatistics.State.HEALTHY, statisticsOf(a).state());
    }

    @Test
    void aBackendAnswering503IsEjectedAndComesBackWhenItRecovers() throws Exception {
        AtomicInteger status = new AtomicInteger(503);
        c.route("/page", request -> TestOrigin.Reply.of(status.get(), "c", "Cache-Control", "no-store"));
        start(pool().retriedStatuses(RetriedStatuses.NONE).build());
        int unavailable = 0;
        for (int i = 0; i < 30; i++) {
            unavailable += proxy.get("/page").statusCode() == 503 ? 1 : 0;
        }
        assertEquals(3, unavailable, "c's 503s reach the client (not retried, here) until it is ejected");
        assertEquals(BackendStatistics.State.EJECTED, statisticsOf(c).state());

        status.set(200);
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Map.of("a", 10, "b", 10, "c", 10), spread(30, "/page"));
    }

    @Test
    void activeHealthChecksTakeADownBackendOutAndBringItBack() throws Exception {
        AtomicInteger health = new AtomicInteger(503);
        a.route("/health", request -> TestOrigin.Reply.of(health.get(), "a", "Cache-Control", "no-store"));
        // A long interval: the test runs the checks itself, instead of waiting for the schedule.
        start(pool().healthCheck(HealthCheck.path("/health").interval(Duration.ofHours(1)).thresholds(2, 2)).build());
        HealthChecks checks = proxy.servlet().healthChecks();
        checks.checkAllNow().get(10, TimeUnit.SECONDS);
        assertEquals(BackendStatistics.State.HEALTHY, statisticsOf(a).state(), "one failed check is below the threshold");
        checks.checkAllNow().get(10, TimeUnit.SECONDS);
        assertEquals(BackendStatistics.State.DOWN, statisticsOf(a).state());
        assertEquals(Map.of("b", 10, "c", 10), spread(20, "/page"));

        health.set(200);
        checks.checkAllNow().get(10, TimeUnit.SECONDS);
        assertEquals(BackendStatistics.State.DOWN, statisticsOf(a).state());
        checks.checkAllNow().get(10, TimeUnit.SECONDS);
        assertEquals(BackendStatistics.State.HEALTHY, statisticsOf(a).state());
        assertEquals(Map.of("a", 10, "b", 10, "c", 10), spread(30, "/page"));
    }

    @Test
    void healthChecksStopWhenTheServletIsDestroyed() throws Exception {
        AtomicInteger checked = new AtomicInteger();
        a.route("/health", request -> {
            checked.incrementAndGet();
            return TestOrigin.Reply.of(200, "a");
        });
        start(pool().healthCheck(HealthCheck.path("/health").interval(Duration.ofMillis(20))).build());
        HealthChecks checks = proxy.servlet().healthChecks();
        proxy.close();
        int afterStop = checked.get();
        checks.checkAllNow().get(10, TimeUnit.SECONDS);
        assertEquals(afterStop, checked.get(), "no check is sent once stopped");
    }

    @Test
    void whenEveryBackendIsOutThePoolStillTriesThem() throws Exception {
        start(pool().build());
        a.stop();
        b.stop();
        c.stop();
        for (int i = 0; i < 9; i++) {
            assertEquals(502, proxy.get("/page").statusCode());
        }
        assertTrue(engine.statistics().backends().stream().allMatch(row -> row.state() == BackendStatistics.State.EJECTED));
        b.restart();
        Map<String, Integer> answeredBy = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = proxy.get("/page");
            answeredBy.merge(response.statusCode() + " " + response.body().strip(), 1, Integer::sum);
        }
        assertTrue(answeredBy.getOrDefault("200 b", 0) >= 3, "panic mode: b, still ejected, answers: " + answeredBy);
    }

    @Test
    void storedResponsesServeUnderStaleIfErrorWhenEveryBackendIsDown() throws Exception {
        ManualClock engineClock = ManualClock.atSystemTime();
        try (CachingEngine staleEngine = CachingEngine.builder().clock(engineClock).build()) {
            for (TestOrigin origin : List.of(a, b, c)) {
                origin.route("/doc", TestOrigin.Reply.of(200, "stored", "Cache-Control", "max-age=1, stale-if-error=600"));
            }
            proxy = new ProxyUnderTest(new CachingProxyServlet(Routes.to(pool().build()), staleEngine), Map.of(),
                    ProxyUnderTest.FrontEnd.SERVLET);
            assertEquals("stored", proxy.get("/doc").body());
            a.stop();
            b.stop();
            c.stop();
            engineClock.advance(Duration.ofSeconds(30));
            HttpResponse<String> stale = proxy.get("/doc");
            assertEquals(200, stale.statusCode());
            assertEquals("stored", stale.body());
        }
    }

    @Test
    void aPostWhoseConnectionWasRefusedGoesOnceToAnotherBackendWithItsWholeBody() throws Exception {
        AtomicInteger received = new AtomicInteger();
        for (TestOrigin origin : List.of(a, b, c)) {
            origin.route("/orders", request -> {
                received.incrementAndGet();
                return TestOrigin.Reply.of(201, new String(request.body(), java.nio.charset.StandardCharsets.UTF_8));
            });
        }
        start(pool().passiveHealth(PassiveHealth.OFF).build());
        a.stop();
        String body = "x".repeat(100_000);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = proxy.send(proxy.request("/orders").POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertEquals(201, response.statusCode());
            assertEquals(body, response.body());
        }
        assertEquals(6, received.get(), "each POST arrived once");
    }

    @Test
    void aPostThatFailedAfterItWasSentIsNeverSentAgain() throws Exception {
        try (RawOrigin hangsUp = new RawOrigin(requestLine -> new RawOrigin.Answer(new byte[0], true))) {
            b.route("/orders", TestOrigin.Reply.of(201, "b"));
            start(BackendPool.builder("two").backend(URI.create(hangsUp.url())).backend(URI.create(b.url())).clock(clock).build());
            HttpResponse<String> response = proxy.send(proxy.request("/orders").POST(HttpRequest.BodyPublishers.ofString("once")).build());
            assertEquals(502, response.statusCode());
            assertEquals(1, hangsUp.requestLines().size());
            assertEquals(0, b.requestCount(), "not duplicated on the other backend");
        }
    }

    @Test
    void aGetThatFailedAfterItWasSentIsRetriedOnAnotherBackendWithinTheBudget() throws Exception {
        try (RawOrigin hangsUp = new RawOrigin(requestLine -> new RawOrigin.Answer(new byte[0], true))) {
            start(BackendPool.builder("two").backend(URI.create(hangsUp.url())).backend(URI.create(b.url())).clock(clock)
                    .passiveHealth(PassiveHealth.OFF).retryBudget(new RetryBudget(0, 1)).build());
            assertEquals(200, proxy.get("/page").statusCode(), "hung up on, then retried on b");
            assertEquals(200, proxy.get("/page").statusCode(), "b in turn");
            assertEquals(502, proxy.get("/page").statusCode(), "hung up on again: this second's one retry is spent");
            assertEquals(2, hangsUp.requestLines().size());
            assertEquals(200, proxy.get("/page").statusCode(), "b in turn");
            clock.advance(Duration.ofSeconds(1));
            assertEquals(200, proxy.get("/page").statusCode(), "a new second, a new retry");
            assertEquals(3, hangsUp.requestLines().size());
        }
    }

    @Test
    void clientsThatGoAwayMidResponseDoNotCountAgainstTheBackend() throws Exception {
        CountDownLatch clientsGone = new CountDownLatch(3);
        // The first part fills the proxy's response buffer, so that it reaches the client before the rest is sent.
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: 400000\r\nCache-Control: no-store\r\n\r\n" + "x".repeat(100_000))
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (RawOrigin slow = new RawOrigin(requestLine -> new RawOrigin.Answer(head, true, false, () -> {
            try {
                clientsGone.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return new byte[300_000];
        }))) {
            start(BackendPool.builder("one").backend(URI.create(slow.url())).clock(clock)
                    .passiveHealth(new PassiveHealth(1, Duration.ofSeconds(10), Duration.ofMinutes(5), true)).build());
            for (int i = 0; i < 3; i++) {
                try (java.net.Socket client = new java.net.Socket("127.0.0.1", proxy.port())) {
                    client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: proxy\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    client.getInputStream().readNBytes(500); // the head and the start of the body
                    client.setSoLinger(true, 0);
                }
                clientsGone.countDown();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (statisticsOf(slow.url()).active() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            BackendStatistics backend = statisticsOf(slow.url());
            assertEquals(0, backend.active());
            assertEquals(0, backend.failures(), "a client hanging up is not the backend's failure");
            assertEquals(BackendStatistics.State.HEALTHY, backend.state());
        }
    }

    @Test
    void everyBackendAtItsConnectionLimitWithNoQueueAnswers503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch arrived = new CountDownLatch(1);
        a.route("/slow", request -> {
            arrived.countDown();
            release.await(10, TimeUnit.SECONDS);
            return TestOrigin.Reply.of(200, "a", "Cache-Control", "no-store");
        });
        start(BackendPool.builder("one").backend(URI.create(a.url())).maxConnectionsPerBackend(1).maxQueuedPerBackend(0)
                .clock(clock).build());
        Future<HttpResponse<String>> held = clients.submit(() -> proxy.get("/slow"));
        assertTrue(arrived.await(10, TimeUnit.SECONDS));
        HttpResponse<String> busy = proxy.get("/page");
        assertEquals(503, busy.statusCode());
        assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
        assertTrue(busy.body().startsWith("Service Unavailable"), busy.body());
        release.countDown();
        assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
        // The client has the whole body before the proxy's exchange ends and gives the backend's slot back
        // (Jetty calls the end of the response after the last write succeeded): wait for the slot, not the clock.
        awaitInFlight(a, 0);
        assertEquals(200, proxy.get("/page").statusCode(), "the released connection takes the next request");
    }

    @Test
    void aQueueLetsARequestWaitForTheBusyBackend() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch arrived = new CountDownLatch(1);
        a.route("/slow", request -> {
            arrived.countDown();
            release.await(10, TimeUnit.SECONDS);
            return TestOrigin.Reply.of(200, "a", "Cache-Control", "no-store");
        });
        start(BackendPool.builder("one").backend(URI.create(a.url())).maxConnectionsPerBackend(1).maxQueuedPerBackend(1)
                .clock(clock).build());
        Future<HttpResponse<String>> held = clients.submit(() -> proxy.get("/slow"));
        assertTrue(arrived.await(10, TimeUnit.SECONDS));
        Future<HttpResponse<String>> queued = clients.submit(() -> proxy.get("/page"));
        // The queue holds one: wait until the queued request is counted on its way to a, then a third is refused.
        awaitInFlight(a, 2);
        assertEquals(503, proxy.get("/other").statusCode());
        assertEquals(1, a.requestCount(), "the queued request waits for the only connection");
        release.countDown();
        assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued.get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void routesChoosePoolsByPrefixAndHostAndStripThePrefixWhenAsked() throws Exception {
        b.route("/users", TestOrigin.Reply.of(200, "b users", "Cache-Control", "no-store"));
        c.route("/api/users", TestOrigin.Reply.of(200, "c api users", "Cache-Control", "no-store"));
        BackendPool web = BackendPool.builder("web").backend(URI.create(a.url())).build();
        BackendPool api = BackendPool.builder("api").backend(URI.create(b.url())).build();
        BackendPool tenant = BackendPool.builder("tenant").backend(URI.create(c.url())).build();
        start(Routes.of(Route.all(web), Route.prefix("/api/", api).stripped(), Route.prefix("/api", tenant).forHost("tenant.test")));
        assertEquals("a", proxy.get("/page").body());
        assertEquals("b users", proxy.get("/api/users").body());
        assertEquals("/users", b.lastReceived().pathAndQuery());
        // The JDK's client will not set Host: Jetty's will.
        org.eclipse.jetty.client.HttpClient jetty = new org.eclipse.jetty.client.HttpClient();
        jetty.start();
        try {
            org.eclipse.jetty.client.ContentResponse forTenant = jetty.newRequest("http://127.0.0.1:" + proxy.port() + "/api/users")
                    .headers(headers -> headers.put("Host", "tenant.test")).timeout(10, TimeUnit.SECONDS).send();
            assertEquals("c api users", forTenant.getContentAsString(), "the host's route, prefix kept");
        } finally {
            jetty.stop();
        }
    }

    @Test
    void aPathNoRouteMatchesIsAnswered404WithoutABackend() throws Exception {
        start(Routes.of(Route.prefix("/api", pool().build())));
        HttpResponse<String> response = proxy.get("/elsewhere");
        assertEquals(404, response.statusCode());
        assertEquals(0, a.requestCount() + b.requestCount() + c.requestCount());
    }

    @Test
    void aGatewayErrorIsAnsweredByAnotherBackendInsteadWithinTheBudget() throws Exception {
        b.route("/page", TestOrigin.Reply.of(503, "b busy", "Cache-Control", "no-store"));
        start(pool().passiveHealth(PassiveHealth.OFF).build());
        Map<String, Integer> answeredBy = spread(6, "/page");
        assertEquals(6, answeredBy.getOrDefault("a", 0) + answeredBy.getOrDefault("c", 0), "every 503 of b replaced: " + answeredBy);
        assertEquals(2, b.requestCount(), "b had its turns");
        assertEquals(8, a.requestCount() + b.requestCount() + c.requestCount(), "each of b's answers sent once elsewhere");
    }

    @Test
    void aGatewayErrorIsRelayedWhenStatusRetriesAreOffOrTheBudgetIsSpent() throws Exception {
        b.route("/page", TestOrigin.Reply.of(503, "b busy", "Cache-Control", "no-store"));
        start(pool().passiveHealth(PassiveHealth.OFF).retriedStatuses(RetriedStatuses.NONE).build());
        assertEquals(Map.of("a", 1, "c", 1), spreadAllowing503(3, "/page").get(200));
        assertEquals(3, a.requestCount() + b.requestCount() + c.requestCount());
        proxy.close();

        start(pool().passiveHealth(PassiveHealth.OFF).retryBudget(RetryBudget.NONE).build());
        spreadAllowing503(3, "/page");
        assertEquals(6, a.requestCount() + b.requestCount() + c.requestCount(), "no budget, no retry");
    }

    /** Status to body to count, for responses that may be 503. */
    private Map<Integer, Map<String, Integer>> spreadAllowing503(int requests, String path) throws Exception {
        Map<Integer, Map<String, Integer>> answers = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = proxy.get(path);
            answers.computeIfAbsent(response.statusCode(), status -> new HashMap<>()).merge(response.body(), 1, Integer::sum);
        }
        assertEquals(1, answers.getOrDefault(503, Map.of()).size(), "b's answer reached the client: " + answers);
        return answers;
    }

    @Test
    void aPostOrAPutWhoseBodyWasSentIsNeverSentAgainAfterA503() throws Exception {
        for (TestOrigin origin : List.of(a, b, c)) {
            origin.route("/orders", TestOrigin.Reply.of(origin == b ? 503 : 201, origin == b ? "b busy" : "stored"));
        }
        start(pool().passiveHealth(PassiveHealth.OFF).build());
        Map<Integer, Integer> statuses = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            statuses.merge(proxy.send(proxy.request("/orders").POST(HttpRequest.BodyPublishers.ofString("order")).build()).statusCode(),
                    1, Integer::sum);
        }
        for (int i = 0; i < 3; i++) {
            statuses.merge(proxy.send(proxy.request("/orders").PUT(HttpRequest.BodyPublishers.ofString("order")).build()).statusCode(),
                    1, Integer::sum);
        }
        assertEquals(Map.of(201, 4, 503, 2), statuses);
        assertEquals(6, a.requestCount() + b.requestCount() + c.requestCount(), "each sent once");
    }

    @Test
    void aPoolOfOneSendsAGetAgainWhenItsKeptAliveConnectionWasClosedUnderIt() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        String ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nCache-Control: no-store\r\n\r\nok";
        // The second request arrives on the kept-alive connection, which the backend then closes unanswered,
        // as one that timed the connection out just as the request was sent.
        try (RawOrigin closesItsConnection = new RawOrigin(requestLine -> requests.incrementAndGet() == 2
                ? new RawOrigin.Answer(new byte[0], true) : RawOrigin.Answer.keepAlive(ok))) {
            start(BackendPool.builder("one").backend(URI.create(closesItsConnection.url())).clock(clock).build());
            assertEquals(200, proxy.get("/page").statusCode());
            HttpResponse<String> again = proxy.get("/page");
            assertEquals(200, again.statusCode(), again.body());
            assertEquals("ok", again.body());
            assertEquals(3, closesItsConnection.requestLines().size(), "sent once more");
            assertEquals(2, closesItsConnection.connections(), "on a new connection");
        }
    }

    @Test
    void aPoolOfOneNeverSendsAPostAgainWhenItsConnectionWasClosedUnderIt() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        String created = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
        try (RawOrigin closesItsConnection = new RawOrigin(requestLine -> requests.incrementAndGet() == 2
                ? new RawOrigin.Answer(new byte[0], true) : RawOrigin.Answer.keepAlive(created))) {
            start(BackendPool.builder("one").backend(URI.create(closesItsConnection.url())).clock(clock).build());
            assertEquals(201, proxy.send(proxy.request("/orders").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
            assertEquals(502, proxy.send(proxy.request("/orders").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
            assertEquals(2, closesItsConnection.requestLines().size());
        }
    }

    @Test
    void healthChecksDoNotWaitForNorTakeTheBackendsLimitedConnections() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch arrived = new CountDownLatch(1);
        a.route("/slow", request -> {
            arrived.countDown();
            release.await(10, TimeUnit.SECONDS);
            return TestOrigin.Reply.of(200, "a", "Cache-Control", "no-store");
        });
        start(BackendPool.builder("one").backend(URI.create(a.url())).maxConnectionsPerBackend(1).clock(clock)
                .healthCheck(HealthCheck.path("/health").interval(Duration.ofHours(1)).timeout(Duration.ofSeconds(5)).thresholds(1, 1))
                .build());
        Future<HttpResponse<String>> held = clients.submit(() -> proxy.get("/slow"));
        assertTrue(arrived.await(10, TimeUnit.SECONDS));
        proxy.servlet().healthChecks().checkAllNow().get(10, TimeUnit.SECONDS);
        assertEquals(1, a.received().stream().filter(request -> request.pathAndQuery().equals("/health")).count(),
                "the check reached the backend while its one connection was busy");
        assertEquals(BackendStatistics.State.HEALTHY, statisticsOf(a).state(), "busy is not down");
        assertEquals(1, statisticsOf(a).active(), "the check is not a request on its way");
        release.countDown();
        assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
    }
}
