package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.testing.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a pool picks backends and judges their health, with a manual clock and no network. */
final class BackendPoolTest {

    private static final URI A = URI.create("http://10.0.0.1:8080");
    private static final URI B = URI.create("http://10.0.0.2:8080");
    private static final URI C = URI.create("http://10.0.0.3:8080");

    private final ManualClock clock = ManualClock.atSystemTime();

    private BackendPool.Builder threeBackends() {
        return BackendPool.builder("test").backend(A).backend(B).backend(C).clock(clock);
    }

    private static Backend pick(BackendPool pool, String key) {
        return pool.select(key, List.of()).orElseThrow();
    }

    private static Backend member(BackendPool pool, URI uri) {
        return pool.members().stream().filter(backend -> backend.uri.equals(uri)).findFirst().orElseThrow();
    }

    @Test
    void roundRobinGivesEachBackendItsTurnInOrder() {
        BackendPool pool = threeBackends().build();
        List<URI> picked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picked.add(pick(pool, "k").uri);
        }
        assertEquals(List.of(A, B, C, A, B, C), picked);
    }

    @Test
    void weightedRoundRobinIsSmoothLikeNginx() {
        BackendPool pool = BackendPool.builder("weighted").backend(A, 5).backend(B).backend(C).clock(clock).build();
        List<URI> picked = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            picked.add(pick(pool, "k").uri);
        }
        // nginx's documented sequence for weights 5, 1, 1: a a b a c a a
        assertEquals(List.of(A, A, B, A, C, A, A), picked);
    }

    @Test
    void leastRequestsPrefersTheBackendWithFewestOnTheirWay() {
        BackendPool pool = threeBackends().balance(Balance.LEAST_REQUESTS).build();
        member(pool, A).sent();
        member(pool, A).sent();
        member(pool, B).sent();
        assertEquals(C, pick(pool, "k").uri);
        member(pool, C).sent();
        member(pool, C).sent();
        assertEquals(B, pick(pool, "k").uri);
    }

    @Test
    void leastRequestsSpreadsAnIdlePool() {
        BackendPool pool = threeBackends().balance(Balance.LEAST_REQUESTS).build();
        Set<URI> picked = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            picked.add(pick(pool, "k").uri);
        }
        assertEquals(Set.of(A, B, C), picked);
    }

    @Test
    void keyHashSendsOneKeyToOneBackendAndSpreadsKeys() {
        BackendPool pool = threeBackends().balance(Balance.KEY_HASH).build();
        Map<URI, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String key = "http://example/item/" + i;
            URI first = pick(pool, key).uri;
            assertEquals(first, pick(pool, key).uri, "the same key goes to the same backend");
            counts.merge(first, 1, Integer::sum);
        }
        for (URI backend : List.of(A, B, C)) {
            int share = counts.getOrDefault(backend, 0);
            assertTrue(share > 700 && share < 1300, "each backend gets about a third of 3000 keys, " + backend + " got " + share);
        }
    }

    @Test
    void keyHashMovesOnlyTheKeysOfABackendThatLeavesAndBringsThemBack() {
        BackendPool pool = threeBackends().balance(Balance.KEY_HASH)
                .passiveHealth(new PassiveHealth(1, Duration.ofSeconds(10), Duration.ofMinutes(5), true)).build();
        Map<String, URI> before = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            before.put("key" + i, pick(pool, "key" + i).uri);
        }
        member(pool, B).failed("connection refused", 0);
        int moved = 0;
        for (Map.Entry<String, URI> entry : before.entrySet()) {
            URI now = pick(pool, entry.getKey()).uri;
            assertNotEquals(B, now, "no key goes to the ejected backend");
            if (!entry.getValue().equals(B)) {
                assertEquals(entry.getValue(), now, "keys of the other backends stay put");
            } else {
                moved++;
            }
        }
        assertTrue(moved > 200, "B's keys moved: " + moved);
        clock.advance(Duration.ofSeconds(10));
        before.forEach((key, backend) -> assertEquals(backend, pick(pool, key).uri, "every key is back where it was"));
    }

    @Test
    void consecutiveFailuresEjectABackendUntilItsEjectionTimeIsUp() {
        BackendPool pool = threeBackends().build();
        Backend b = member(pool, B);
        b.failed("connection refused", 0);
        b.failed("connection refused", 0);
        assertEquals(BackendStatistics.State.HEALTHY, b.state(clock.instant()), "two failures are not yet three");
        b.responded(200, 0);
        b.failed("connection refused", 0);
        b.failed("connection refused", 0);
        assertEquals(BackendStatistics.State.HEALTHY, b.state(clock.instant()), "a success starts the count again");
        b.responded(503, 0);
        assertEquals(BackendStatistics.State.EJECTED, b.state(clock.instant()), "a 503 is the third failure in a row");
        for (int i = 0; i < 9; i++) {
            assertNotEquals(B, pick(pool, "k").uri);
        }
        clock.advance(Duration.ofSeconds(10));
        Set<URI> picked = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            picked.add(pick(pool, "k").uri);
        }
        assertEquals(Set.of(A, B, C), picked, "back after 10 s");
        assertEquals(1, b.statistics(clock.instant()).ejections());
    }

    @Test
    void aBackendFailingAgainAfterItsEjectionIsEjectedAtOnceForLonger() {
        BackendPool pool = threeBackends().build();
        Backend b = member(pool, B);
        for (int i = 0; i < 3; i++) {
            b.failed("connection refused", 0);
        }
        clock.advance(Duration.ofSeconds(10));
        assertTrue(b.available(clock.instant()));
        b.failed("connection refused", 0);
        assertEquals(BackendStatistics.State.EJECTED, b.state(clock.instant()), "on probation, one failure is enough");
        clock.advance(Duration.ofSeconds(19));
        assertEquals(BackendStatistics.State.EJECTED, b.state(clock.instant()), "the second ejection lasts 20 s");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(BackendStatistics.State.HEALTHY, b.state(clock.instant()));
        b.responded(200, 0);
        clock.advance(Duration.ofMinutes(10));
        for (int i = 0; i < 3; i++) {
            b.failed("connection refused", 0);
        }
        clock.advance(Duration.ofSeconds(10));
        assertEquals(BackendStatistics.State.HEALTHY, b.state(clock.instant()), "after a long calm the ejection time is short again");
    }

    @Test
    void ejectionTimeStopsGrowingAtItsMaximum() {
        PassiveHealth passive = new PassiveHealth(1, Duration.ofSeconds(10), Duration.ofSeconds(25), true);
        assertEquals(Duration.ofSeconds(10), passive.ejectionFor(1));
        assertEquals(Duration.ofSeconds(20), passive.ejectionFor(2));
        assertEquals(Duration.ofSeconds(25), passive.ejectionFor(7));
    }

    @Test
    void fivexxCountOnlyWhenThePoolSaysSo() {
        BackendPool pool = threeBackends().passiveHealth(new PassiveHealth(1, Duration.ofSeconds(10), Duration.ofMinutes(5), false)).build();
        Backend a = member(pool, A);
        a.responded(500, 0);
        assertEquals(BackendStatistics.State.HEALTHY, a.state(clock.instant()));
        a.failed("connection reset", 0);
        assertEquals(BackendStatistics.State.EJECTED, a.state(clock.instant()));
    }

    @Test
    void healthChecksTakeABackendDownAndBringItBackAtTheirThresholds() {
        HealthCheck check = HealthCheck.path("/health").thresholds(2, 3);
        BackendPool pool = threeBackends().healthCheck(check).build();
        Backend c = member(pool, C);
        c.checkFailed(check, "status 503");
        c.checkFailed(check, "status 503");
        assertEquals(BackendStatistics.State.HEALTHY, c.state(clock.instant()));
        c.checkFailed(check, "status 503");
        assertEquals(BackendStatistics.State.DOWN, c.state(clock.instant()));
        clock.advance(Duration.ofHours(1));
        assertEquals(BackendStatistics.State.DOWN, c.state(clock.instant()), "time alone does not bring a down backend back");
        c.checkPassed(check);
        assertEquals(BackendStatistics.State.DOWN, c.state(clock.instant()));
        c.checkPassed(check);
        assertEquals(BackendStatistics.State.HEALTHY, c.state(clock.instant()));
    }

    @Test
    void passingHealthChecksEndAPassiveEjectionEarly() {
        HealthCheck check = HealthCheck.path("/health").thresholds(2, 3);
        BackendPool pool = threeBackends().healthCheck(check).build();
        Backend a = member(pool, A);
        a.checkPassed(check);
        for (int i = 0; i < 3; i++) {
            a.failed("connection refused", 0);
        }
        a.checkPassed(check);
        assertEquals(BackendStatistics.State.EJECTED, a.state(clock.instant()), "a pass before the ejection does not count");
        a.checkPassed(check);
        assertEquals(BackendStatistics.State.HEALTHY, a.state(clock.instant()), "two passes during it end it");
        a.failed("connection refused", 0);
        assertEquals(BackendStatistics.State.EJECTED, a.state(clock.instant()), "on probation after that");
    }

    @Test
    void aBackendDownByHealthChecksWhoseEjectionEndedMeanwhileComesBackOnceUp() {
        HealthCheck check = HealthCheck.path("/health").thresholds(1, 1);
        BackendPool pool = threeBackends().healthCheck(check).build();
        Backend a = member(pool, A);
        for (int i = 0; i < 3; i++) {
            a.failed("connection refused", 0);
        }
        a.checkFailed(check, "connection refused");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(BackendStatistics.State.DOWN, a.state(clock.instant()));
        a.checkPassed(check);
        assertEquals(BackendStatistics.State.HEALTHY, a.state(clock.instant()));
        assertTrue(a.available(clock.instant()));
        a.failed("connection refused", 0);
        assertEquals(BackendStatistics.State.EJECTED, a.state(clock.instant()), "on probation after an ejection");
    }

    @Test
    void whenEveryBackendIsOutThePoolTriesThemAllAnyway() {
        BackendPool pool = threeBackends().passiveHealth(new PassiveHealth(1, Duration.ofSeconds(10), Duration.ofMinutes(5), true)).build();
        pool.members().forEach(backend -> backend.failed("connection refused", 0));
        Set<URI> picked = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            picked.add(pick(pool, "k").uri);
        }
        assertEquals(Set.of(A, B, C), picked, "panic mode: all of them, in turn");
    }

    @Test
    void backupsTakeRequestsOnlyWhileNoPrimaryIsAvailable() {
        BackendPool pool = BackendPool.builder("with-backup").backend(A).backend(B).backup(C).clock(clock)
                .passiveHealth(new PassiveHealth(1, Duration.ofSeconds(10), Duration.ofMinutes(5), true)).build();
        for (int i = 0; i < 6; i++) {
            assertNotEquals(C, pick(pool, "k").uri);
        }
        member(pool, A).failed("connection refused", 0);
        member(pool, B).failed("connection refused", 0);
        assertEquals(C, pick(pool, "k").uri);
        assertEquals(C, pick(pool, "k").uri);
    }

    @Test
    void aBackendAtItsConnectionLimitGetsNothingWhileAnotherHasRoomAndTheQueueDecidesAfterThat() {
        BackendPool pool = BackendPool.builder("limited").backend(A).backend(B).clock(clock)
                .maxConnectionsPerBackend(1).maxQueuedPerBackend(1).build();
        Backend first = pick(pool, "k");
        first.sent();
        Backend second = pick(pool, "k");
        assertNotEquals(first, second, "the busy backend is passed over");
        second.sent();
        Backend third = pick(pool, "k");
        third.sent(); // both full: waits in a queue
        Backend fourth = pick(pool, "k");
        assertNotEquals(third, fourth, "the other queue has room");
        fourth.sent();
        assertTrue(pool.select("k", List.of()).isEmpty(), "every connection and queue place is taken: the caller answers 503");
        first.finished();
        assertEquals(first, pick(pool, "k"));
    }

    @Test
    void aRequestIsNotSentAgainToABackendItAlreadyTried() {
        BackendPool pool = BackendPool.builder("two").backend(A).backend(B).clock(clock).build();
        Backend first = pick(pool, "k");
        Backend other = pool.select("k", List.of(first)).orElseThrow();
        assertNotEquals(first, other);
        assertTrue(pool.select("k", List.of(first, other)).isEmpty());
    }

    @Test
    void theRetryBudgetAllowsItsRatioOfRequestsAndAFewEachSecond() {
        BackendPool pool = threeBackends().retryBudget(new RetryBudget(0.2, 1)).build();
        assertTrue(pool.tryRetry(), "one a second even before any request");
        assertTrue(!pool.tryRetry(), "but only one");
        for (int i = 0; i < 10; i++) {
            pool.requestSent();
        }
        assertTrue(pool.tryRetry());
        assertTrue(pool.tryRetry());
        assertTrue(!pool.tryRetry(), "10 requests at 20% make two retries");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(pool.tryRetry(), "a new second, a new minimum");
        assertTrue(!BackendPool.builder("none").backend(A).retryBudget(RetryBudget.NONE).build().tryRetry());
    }

    @Test
    void badPoolsAreRefusedWithTheReason() {
        assertThrows(IllegalStateException.class, () -> BackendPool.builder("empty").build());
        assertThrows(IllegalStateException.class, () -> BackendPool.builder("backups").backup(A).build());
        assertThrows(IllegalArgumentException.class, () -> BackendPool.builder("twice").backend(A).backend(A));
        assertThrows(IllegalArgumentException.class, () -> BackendPool.builder("ftp").backend(URI.create("ftp://x")));
        assertThrows(IllegalArgumentException.class, () -> BackendPool.builder("query").backend(URI.create("http://x/?a")));
        assertThrows(IllegalArgumentException.class, () -> BackendPool.builder("weight").backend(A, 0));
        assertThrows(IllegalArgumentException.class, () -> HealthCheck.path("health"));
        assertThrows(IllegalArgumentException.class, () -> HealthCheck.path("/h").expectStatus(300, 200));
        assertThrows(IllegalArgumentException.class, () -> new RetryBudget(1.5, 0));
    }
}
