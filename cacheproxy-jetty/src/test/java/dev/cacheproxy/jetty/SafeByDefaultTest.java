package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.Rfc9111Policy;
import dev.cacheproxy.jetty.TestOrigin.Reply;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Safe by default, through a real proxy on loopback: no response crosses users, and no unkeyed input
 * changes what others get. Each test has a first client (often the one whose data is at stake, or the
 * attacker), then asserts what a second, innocent client receives and what the origin saw.
 */
final class SafeByDefaultTest {

    private static final String LAST_MODIFIED_LONG_AGO = "Thu, 01 Jan 2015 00:00:00 GMT";
    /** What a client may read when the origin fails: one short phrase per kind of failure. */
    private static final java.util.Set<String> FIXED_PHRASES = java.util.Set.of("Bad Gateway: the origin could not be reached\n",
            "Bad Gateway: the origin sent a broken response\n", "Gateway Timeout: the origin did not answer in time\n");

    private final ManualClock clock = ManualClock.atSystemTime();
    @AutoClose
    private final EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
    @AutoClose
    private TestOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;

    // 1. Set-Cookie never reaches another client.

    @Test
    void aSharedResponseThatSetsACookieIsNotStoredSoTheNextClientGetsItsOwnCookieOnly() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        origin = new TestOrigin().route("/welcome", request -> Reply.of(200, "welcome",
                "Cache-Control", "public, max-age=300", "Set-Cookie", "session=" + sessions.incrementAndGet()));
        startProxy(CachingEngine.builder().store(store).clock(clock));

        HttpResponse<String> first = proxy.get("/welcome");
        HttpResponse<String> second = proxy.get("/welcome");

        assertEquals(List.of("session=1"), first.headers().allValues("Set-Cookie"));
        assertEquals(List.of("session=2"), second.headers().allValues("Set-Cookie"), "the second client gets its own, never the first's");
        assertFalse(cacheStatus(first).contains("; stored"), cacheStatus(first));
        assertEquals(2, origin.requestCount(), "each client's request reached the origin");
    }

    @Test
    void withTheSwitchASharedResponseThatSetsACookieIsStoredWithoutItAndNoLaterClientGetsIt() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        origin = new TestOrigin().route("/welcome", request -> Reply.of(200, "welcome",
                "Cache-Control", "public, max-age=300", "Set-Cookie", "session=" + sessions.incrementAndGet()));
        startProxy(CachingEngine.builder().store(store).clock(clock)
                .policy(Rfc9111Policy.builder().storeResponsesThatSetCookies(true).build()));

        HttpResponse<String> first = proxy.get("/welcome");
        HttpResponse<String> hit = proxy.get("/welcome");
        HttpResponse<String> range = proxy.send(proxy.request("/welcome", "Range", "bytes=0-2").GET().build());
        HttpResponse<String> head = proxy.send(proxy.request("/welcome").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertEquals(List.of("session=1"), first.headers().allValues("Set-Cookie"));
        assertTrue(cacheStatus(hit).contains("hit"), cacheStatus(hit));
        for (HttpResponse<String> later : List.of(hit, range, head)) {
            assertEquals(List.of(), later.headers().allValues("Set-Cookie"), cacheStatus(later));
        }
        assertEquals("wel", range.body());
        assertEquals(1, origin.requestCount());
    }

    @Test
    void clientsWaitingOnTheSameMissNeverGetTheCookieTheOriginSetForTheLeader() throws Exception {
        CountDownLatch followerWaiting = new CountDownLatch(1);
        AtomicInteger sessions = new AtomicInteger();
        origin = new TestOrigin().route("/popular", request -> {
            int session = sessions.incrementAndGet();
            if (session == 1) {
                assertTrue(followerWaiting.await(20, TimeUnit.SECONDS), "the second client reached the proxy");
            }
            return Reply.of(200, "popular", "Cache-Control", "public, max-age=300", "Set-Cookie", "session=" + session);
        });
        CountingEngine engine = new CountingEngine(CachingEngine.builder().store(store).clock(clock).build(), followerWaiting);
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine);

        CompletableFuture<HttpResponse<String>> leader = CompletableFuture.supplyAsync(() -> get("/popular"));
        assertTrue(awaitOriginRequests(1), "the leader reached the origin");
        HttpResponse<String> follower = get("/popular");

        assertEquals(List.of("session=1"), leader.get(20, TimeUnit.SECONDS).headers().allValues("Set-Cookie"));
        assertEquals(1, engine.waits.get(), "the second client waited on the first's request");
        assertEquals(List.of("session=2"), follower.headers().allValues("Set-Cookie"), "its own cookie, not the leader's");
        assertEquals(2, origin.requestCount(), "after the wait the follower went to the origin itself");
    }

    @Test
    void aCookieSetOnARevalidationOrAHeadReachesOnlyThatClient() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        origin = new TestOrigin().route("/page", request -> {
            String session = "session=" + sessions.incrementAndGet();
            // Lifetimes grow with each answer: the origin's Date is real time, the proxy's clock runs ahead.
            if (request.method().equals("HEAD")) {
                // A 200 to the (conditional) HEAD: the stored GET response is updated from it (RFC 9111 §4.3.5).
                return Reply.of(200, "page", "ETag", "\"v1\"", "Cache-Control", "public, max-age=10000", "Set-Cookie", session);
            }
            if (request.headers().get("If-None-Match") != null) {
                return Reply.of(304, "", "ETag", "\"v1\"", "Cache-Control", "public, max-age=600", "Set-Cookie", session);
            }
            return Reply.of(200, "page", "ETag", "\"v1\"", "Cache-Control", "public, max-age=10");
        });
        startProxy(CachingEngine.builder().store(store).clock(clock)
                .policy(Rfc9111Policy.builder().storeResponsesThatSetCookies(true).build()));
        proxy.get("/page");
        clock.advance(Duration.ofSeconds(20));

        HttpResponse<String> revalidated = proxy.get("/page");
        HttpResponse<String> afterRevalidation = proxy.get("/page");
        clock.advance(Duration.ofSeconds(700));
        HttpResponse<String> head = proxy.send(proxy.request("/page").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> afterHead = proxy.get("/page");

        assertEquals(List.of("session=2"), revalidated.headers().allValues("Set-Cookie"), "the revalidating client gets its cookie");
        assertEquals(List.of("session=3"), head.headers().allValues("Set-Cookie"), "so does the HEAD's");
        for (HttpResponse<String> innocent : List.of(afterRevalidation, afterHead)) {
            assertEquals("page", innocent.body());
            assertTrue(cacheStatus(innocent).contains("hit"), cacheStatus(innocent));
            assertEquals(List.of(), innocent.headers().allValues("Set-Cookie"));
        }
        assertEquals(3, origin.requestCount(), "a GET, a revalidation, a HEAD");
    }

    @Test
    void aBackgroundRefreshOrAStaleIfErrorAnswerNeverCarriesACookie() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        origin = new TestOrigin().route("/swr", request -> switch (calls.incrementAndGet()) {
            case 1 -> Reply.of(200, "version 1", "Cache-Control", "public, max-age=10, stale-while-revalidate=30", "Set-Cookie", "session=1");
            // Longer-lived: the origin's Date is real time while the proxy's clock runs ahead.
            case 2 -> Reply.of(200, "version 2", "Cache-Control", "public, max-age=1000, stale-if-error=5000", "Set-Cookie", "session=2");
            default -> Reply.of(503, "down");
        });
        startProxy(CachingEngine.builder().store(store).clock(clock)
                .policy(Rfc9111Policy.builder().storeResponsesThatSetCookies(true).build()));
        proxy.get("/swr");
        clock.advance(Duration.ofSeconds(15));

        HttpResponse<String> stale = proxy.get("/swr");
        awaitHit("/swr", "version 2");
        HttpResponse<String> refreshed = proxy.get("/swr");
        clock.advance(Duration.ofSeconds(2000));
        HttpResponse<String> duringOutage = proxy.get("/swr");

        assertEquals("version 1", stale.body());
        assertEquals("version 2", refreshed.body());
        assertTrue(cacheStatus(refreshed).contains("hit"), cacheStatus(refreshed));
        assertEquals("version 2", duringOutage.body());
        assertTrue(cacheStatus(duringOutage).contains("fwd-status=503"), cacheStatus(duringOutage));
        for (HttpResponse<String> innocent : List.of(stale, refreshed, duringOutage)) {
            assertEquals(List.of(), innocent.headers().allValues("Set-Cookie"), cacheStatus(innocent));
        }
        assertEquals(3, origin.requestCount(), "the first GET, the background refresh, the failed validation");
    }

    // 2. A request with Cookie: no heuristic freshness.

    @Test
    void aPersonalisedPageWithOnlyLastModifiedIsNotReusedForAnotherUser() throws Exception {
        origin = new TestOrigin().route("/profile", request -> Reply.of(200, "profile of " + request.headers().get("Cookie"),
                "Last-Modified", LAST_MODIFIED_LONG_AGO));
        startProxy(CachingEngine.builder().store(store).clock(clock));

        HttpResponse<String> alice = proxy.get("/profile", "Cookie", "user=alice");
        HttpResponse<String> bob = proxy.get("/profile", "Cookie", "user=bob");
        HttpResponse<String> anonymous = proxy.get("/profile");
        HttpResponse<String> anonymousAgain = proxy.get("/profile");

        assertEquals("profile of user=alice", alice.body());
        assertEquals("profile of user=bob", bob.body());
        assertFalse(cacheStatus(alice).contains("; stored"), cacheStatus(alice));
        assertEquals("user=bob", origin.received().get(1).headers().get("Cookie"), "bob's request reached the origin");
        assertTrue(cacheStatus(anonymousAgain).contains("hit"), "without a cookie heuristics still apply: " + cacheStatus(anonymousAgain));
        assertEquals("profile of null", anonymous.body());
        assertEquals(3, origin.requestCount());
    }

    @Test
    void aResponseToACookieRequestWithOnlyMaxAgeIsNotSharedWithTheNextUser() throws Exception {
        origin = new TestOrigin().route("/me", request -> Reply.of(200, "page of " + request.headers().get("Cookie"),
                "Cache-Control", "max-age=60"));
        startProxy(CachingEngine.builder().store(store).clock(clock));

        HttpResponse<String> alice = proxy.get("/me", "Cookie", "user=alice");
        HttpResponse<String> bob = proxy.get("/me", "Cookie", "user=bob");

        assertFalse(cacheStatus(alice).contains("; stored"), cacheStatus(alice));
        assertEquals("page of user=bob", bob.body());
        assertEquals(2, origin.requestCount());
    }

    @Test
    void aResponseToACookieRequestIsSharedWhenItSaysItMayBeOrWhenSwitchedOn() throws Exception {
        origin = new TestOrigin()
                .route("/public", Reply.of(200, "news", "Cache-Control", "public, max-age=60"))
                .route("/varies", request -> Reply.of(200, "for " + request.headers().get("Cookie"),
                        "Cache-Control", "max-age=60", "Vary", "Cookie"))
                .route("/max-age", Reply.of(200, "news", "Cache-Control", "max-age=60"));
        startProxy(CachingEngine.builder().store(store).clock(clock)
                .policy(Rfc9111Policy.builder().storeResponsesToCookieRequests(false).build()));

        proxy.get("/public", "Cookie", "user=alice");
        proxy.get("/varies", "Cookie", "user=alice");
        awaitHit("/public", "news");
        awaitHit("/varies", "for user=alice");
        HttpResponse<String> publicForBob = proxy.get("/public", "Cookie", "user=bob");
        HttpResponse<String> variesForBob = proxy.get("/varies", "Cookie", "user=bob");
        HttpResponse<String> variesForAlice = proxy.get("/varies", "Cookie", "user=alice");

        assertTrue(cacheStatus(publicForBob).contains("hit"), cacheStatus(publicForBob));
        assertEquals("for user=bob", variesForBob.body(), "Vary: Cookie keeps each user's copy apart");
        assertTrue(cacheStatus(variesForAlice).contains("hit"), cacheStatus(variesForAlice));

        proxy.close();
        startProxy(CachingEngine.builder().store(store).clock(clock)
                .policy(Rfc9111Policy.builder().storeResponsesToCookieRequests(true).build()));
        proxy.get("/max-age", "Cookie", "user=alice");
        awaitHit("/max-age", "news");
        HttpResponse<String> relaxed = proxy.get("/max-age", "Cookie", "user=bob");
        assertTrue(cacheStatus(relaxed).contains("hit"), "with the switch, as nginx: " + cacheStatus(relaxed));
    }

    // 3. Never-fresh responses are not kept; stale-while-unreachable only with explicit freshness.

    @Test
    void aResponseWithNoFreshnessAndNoValidatorIsNotStoredSoAnOutageServesNobodyIt() throws Exception {
        origin = new TestOrigin().route("/account", request -> Reply.of(200, "account of " + request.headers().get("Cookie")));
        startProxy(CachingEngine.builder().store(store).clock(clock));

        HttpResponse<String> alice = proxy.get("/account", "Cookie", "user=alice");
        origin.close();
        HttpResponse<String> bob = proxy.get("/account", "Cookie", "user=bob");

        assertEquals("account of user=alice", alice.body());
        assertFalse(cacheStatus(alice).contains("; stored"), cacheStatus(alice));
        assertEquals(502, bob.statusCode());
        assertFalse(bob.body().contains("alice"), bob.body());
        assertEquals(1, origin.requestCount());
    }

    @Test
    void aResponseWhoseFreshnessWasOnlyGuessedIsNotServedStaleWhenTheOriginIsUnreachable() throws Exception {
        origin = new TestOrigin().route("/guessed", Reply.of(200, "guessed", "Last-Modified", LAST_MODIFIED_LONG_AGO));
        startProxy(CachingEngine.builder().store(store).clock(clock));
        HttpResponse<String> first = proxy.get("/guessed");
        // Past the heuristic lifetime (capped at one day) by less than the one-hour allowance for outages.
        clock.advance(Duration.ofDays(1).plusMinutes(30));
        origin.close();

        HttpResponse<String> duringOutage = proxy.get("/guessed");

        assertTrue(cacheStatus(first).contains("; stored"), cacheStatus(first));
        assertEquals(502, duringOutage.statusCode());
        assertEquals(1, origin.requestCount());
    }

    @Test
    void aResponseWithExplicitFreshnessIsStillServedStaleWhileTheOriginIsUnreachable() throws Exception {
        origin = new TestOrigin().route("/explicit", Reply.of(200, "explicit", "Cache-Control", "max-age=60"));
        startProxy(CachingEngine.builder().store(store).clock(clock));
        proxy.get("/explicit");
        clock.advance(Duration.ofMinutes(5));
        origin.close();

        HttpResponse<String> duringOutage = proxy.get("/explicit");

        assertEquals(200, duringOutage.statusCode());
        assertEquals("explicit", duringOutage.body());
        assertTrue(cacheStatus(duringOutage).contains("stale: origin unreachable"), cacheStatus(duringOutage));
    }

    // 5. A GET with content neither reads nor writes the cache.

    @Test
    void aGetWithContentGoesToTheOriginAndItsResponseIsNeverStoredUnderTheUrl() throws Exception {
        origin = new TestOrigin().route("/search", request -> Reply.of(200,
                "results for [" + new String(request.body(), StandardCharsets.UTF_8) + "]", "Cache-Control", "public, max-age=300"));
        startProxy(CachingEngine.builder().store(store).clock(clock));

        HttpResponse<String> attacker = proxy.send(proxy.request("/search").method("GET",
                HttpRequest.BodyPublishers.ofString("<script>poison</script>")).build());
        HttpResponse<String> innocent = proxy.get("/search");
        HttpResponse<String> anotherWithContent = proxy.send(proxy.request("/search").method("GET",
                HttpRequest.BodyPublishers.ofString("other")).build());

        assertEquals("results for [<script>poison</script>]", attacker.body());
        assertTrue(cacheStatus(attacker).contains("fwd=bypass"), cacheStatus(attacker));
        assertEquals("results for []", innocent.body());
        assertEquals("results for [other]", anotherWithContent.body(), "and a stored response never answers one with content");
        assertEquals(3, origin.requestCount());
        assertEquals("<script>poison</script>", new String(origin.received().get(0).body(), StandardCharsets.UTF_8));
    }

    // 6. CONNECT and TRACE are answered by the proxy.

    @Test
    void connectAndTraceAreAnswered501WithoutContactingTheOrigin() throws Exception {
        origin = new TestOrigin().route("/", Reply.of(200, "origin"));
        startProxy(CachingEngine.builder().store(store).clock(clock));

        String connect = rawExchange("CONNECT 127.0.0.1:" + URI.create(origin.url()).getPort() + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + URI.create(origin.url()).getPort() + "\r\n\r\n");
        String trace = rawExchange("TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: session=secret\r\nConnection: close\r\n\r\n");
        HttpResponse<String> innocent = proxy.get("/");

        assertTrue(connect.startsWith("HTTP/1.1 501"), connect);
        assertTrue(trace.startsWith("HTTP/1.1 501"), trace);
        assertFalse(trace.contains("session=secret"), trace);
        assertEquals("origin", innocent.body());
        assertEquals(List.of("GET"), origin.received().stream().map(TestOrigin.Received::method).toList());
    }

    @Test
    void traceGoesToTheOriginWhenEnabled() throws Exception {
        origin = new TestOrigin().route("/", Reply.of(200, "traced"));
        startProxy(CachingEngine.builder().store(store).clock(clock).allowTrace(true));

        String trace = rawExchange("TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        assertTrue(trace.startsWith("HTTP/1.1 200"), trace);
        assertEquals(List.of("TRACE"), origin.received().stream().map(TestOrigin.Received::method).toList());
    }

    // 8. A 304 that matches nothing stored never reaches a client that asked no condition.

    @Test
    void aNotModifiedThatMatchesNoStoredResponseBecomesA502AndTheEntryIsNotFreshened() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        origin = new TestOrigin().route("/doc", request -> switch (calls.incrementAndGet()) {
            case 1 -> Reply.of(200, "old", "ETag", "\"a\"", "Cache-Control", "max-age=10");
            case 2 -> Reply.of(304, "", "ETag", "\"b\"", "Cache-Control", "max-age=600");
            default -> Reply.of(200, "new", "ETag", "\"b\"", "Cache-Control", "max-age=10");
        });
        startProxy(CachingEngine.builder().store(store).clock(clock));
        proxy.get("/doc");
        clock.advance(Duration.ofSeconds(20));

        HttpResponse<String> plainGet = proxy.get("/doc");
        HttpResponse<String> next = proxy.get("/doc");

        assertEquals(502, plainGet.statusCode(), "never an empty 304 to a plain GET");
        assertEquals("Bad Gateway: the origin's 304 matches no stored response\n", plainGet.body());
        assertEquals(200, next.statusCode());
        assertEquals("new", next.body(), "the stale entry was not freshened by the 304");
        assertEquals("\"a\"", origin.received().get(1).headers().get("If-None-Match"), "the origin was asked about the stored one");
        assertEquals(null, origin.received().get(2).headers().get("If-None-Match"), "then asked for a whole response");
    }

    // 9. No internals in client-visible text.

    @Test
    void aBodyCutShortOrAnUnreachableOriginShowsTheClientAFixedPhraseAndNoInternals() throws Exception {
        try (RawOrigin cutShort = new RawOrigin(requestLine -> RawOrigin.Answer.thenClose(
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nCache-Control: max-age=60\r\n\r\n"))) {
            proxy = new ProxyUnderTest(URI.create(cutShort.url()), CachingEngine.builder().store(store).clock(clock).build());

            HttpResponse<String> response = proxy.get("/cut");

            assertEquals(502, response.statusCode());
            assertTrue(FIXED_PHRASES.contains(response.body()), response.body());
            assertNoInternals(response);
            assertEquals(List.of("GET /cut HTTP/1.1"), cutShort.requestLines());
        }
        int closedPort;
        try (RawOrigin gone = new RawOrigin(requestLine -> RawOrigin.Answer.thenClose(""))) {
            closedPort = URI.create(gone.url()).getPort();
        }
        try (ProxyUnderTest toNowhere = new ProxyUnderTest(URI.create("http://127.0.0.1:" + closedPort),
                CachingEngine.builder().store(store).clock(clock).build())) {
            HttpResponse<String> refused = toNowhere.get("/anything");
            assertEquals(502, refused.statusCode());
            assertEquals("Bad Gateway: the origin could not be reached\n", refused.body());
            assertNoInternals(refused);
            assertFalse(refused.body().contains(Integer.toString(closedPort)), refused.body());
        }
    }

    private static void assertNoInternals(HttpResponse<String> response) {
        String visible = response.body() + " " + cacheStatus(response);
        assertFalse(visible.contains("127.0.0.1"), visible);
        assertFalse(visible.contains("@"), visible);
        assertFalse(visible.contains("Exception"), visible);
        assertTrue(visible.length() < 300, visible);
    }

    private void startProxy(CachingEngine.Builder engine) throws Exception {
        proxy = new ProxyUnderTest(URI.create(origin.url()), engine.build());
    }

    private HttpResponse<String> get(String path) {
        try {
            return proxy.get(path);
        } catch (IOException | InterruptedException failed) {
            throw new IllegalStateException(failed);
        }
    }

    private boolean awaitOriginRequests(int count) throws InterruptedException {
        for (int i = 0; i < 200 && origin.requestCount() < count; i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return origin.requestCount() >= count;
    }

    /** Waits until a response with this body is in the store (it is written just after the client has it). */
    private void awaitHit(String path, String body) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (store.variants(dev.cacheproxy.api.CacheKey.of(URI.create(origin.url() + path))).stream()
                    .anyMatch(stored -> new String(stored.body().toByteArray(), StandardCharsets.UTF_8).equals(body))) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("the refresh was never stored");
    }

    /** Sends raw bytes to the proxy and returns what it answers until it closes or 2 s pass without more. */
    private String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n);
                    if (answer.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n") && isComplete(answer)) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException enough) {
                // keep what arrived
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean isComplete(ByteArrayOutputStream answer) {
        String text = answer.toString(StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text.substring(0, headEnd));
        return length.find() && text.length() - headEnd - 4 >= Integer.parseInt(length.group(1));
    }

    private static String cacheStatus(HttpResponse<String> response) {
        return response.headers().firstValue("Cache-Status").orElse("(no Cache-Status)");
    }
}
