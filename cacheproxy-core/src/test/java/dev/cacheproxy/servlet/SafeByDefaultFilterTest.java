package dev.cacheproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.ClientForwarding;
import dev.cacheproxy.core.Rfc9111Policy;
import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.Cookie;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Safe by default, through the filter in a real Tomcat and a real Jetty with a real client on
 * 127.0.0.1: the servlet stands for the origin. Each test asserts what a second, innocent client
 * receives and what the servlet saw.
 */
final class SafeByDefaultFilterTest {

    private static final String LAST_MODIFIED_LONG_AGO = "Thu, 01 Jan 2015 00:00:00 GMT";

    private final ManualClock clock = ManualClock.atSystemTime();
    private final Servlets servlets = new Servlets();
    private ServletContainer container;
    private Client client;

    static Stream<ServletContainer.Kind> containers() {
        return ServletContainer.Kind.selected();
    }

    @AfterEach
    void stop() {
        if (container != null) {
            container.close();
        }
    }

    // 1. Set-Cookie never reaches another client.

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aSharedResponseThatSetsACookieIsNotStoredSoTheNextClientGetsItsOwnCookieOnly(ServletContainer.Kind kind) throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        start(kind, UnaryOperator.identity(), context -> servlets.serve(context, "welcome", (request, response) -> {
            response.setHeader("Cache-Control", "public, max-age=300");
            response.addCookie(new Cookie("session", Integer.toString(sessions.incrementAndGet())));
            response.getWriter().print("welcome");
        }));

        HttpResponse<byte[]> first = client.get("/cached/welcome");
        HttpResponse<byte[]> second = client.get("/cached/welcome");

        assertTrue(cookies(first).get(0).startsWith("session=1"), cookies(first).toString());
        assertTrue(cookies(second).get(0).startsWith("session=2"), "its own cookie, never the first's: " + cookies(second));
        assertFalse(cacheStatus(first).contains("; stored"), cacheStatus(first));
        assertEquals(2, servlets.served("/cached/welcome"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void withTheSwitchASharedResponseIsStoredWithoutTheSessionCookieItSet(ServletContainer.Kind kind) throws Exception {
        start(kind, engine -> engine.policy(Rfc9111Policy.builder().storeResponsesThatSetCookies(true).build()),
                context -> servlets.serve(context, "public-session", (request, response) -> {
                    response.setHeader("Cache-Control", "public, max-age=60");
                    request.getSession(true);
                    response.getWriter().print("public page");
                }));

        HttpResponse<byte[]> first = client.get("/cached/public-session");
        HttpResponse<byte[]> hit = client.get("/cached/public-session");

        assertFalse(cookies(first).isEmpty(), "the first client gets its session cookie");
        assertTrue(cacheStatus(hit).contains("hit"), cacheStatus(hit));
        assertEquals(List.of(), cookies(hit), "nobody else gets that session");
        assertEquals(1, servlets.served("/cached/public-session"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aCookieSetOnARevalidationReachesOnlyThatClient(ServletContainer.Kind kind) throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        start(kind, engine -> engine.policy(Rfc9111Policy.builder().storeResponsesThatSetCookies(true).build()),
                context -> servlets.serve(context, "page", (request, response) -> {
                    response.setHeader("ETag", "\"v1\"");
                    response.setHeader("Cache-Control", "public, max-age=10");
                    if ("\"v1\"".equals(request.getHeader("If-None-Match"))) {
                        // Longer-lived: a container's Date is real time while the filter's clock runs ahead.
                        response.setHeader("Cache-Control", "public, max-age=600");
                        response.addCookie(new Cookie("session", Integer.toString(sessions.incrementAndGet())));
                        response.setStatus(304);
                        return;
                    }
                    response.getWriter().print("page");
                }));
        client.get("/cached/page");
        clock.advance(Duration.ofSeconds(20));

        HttpResponse<byte[]> revalidated = client.get("/cached/page");
        HttpResponse<byte[]> innocent = client.get("/cached/page");

        assertEquals("page", body(revalidated));
        assertTrue(cookies(revalidated).get(0).startsWith("session=1"), cookies(revalidated).toString());
        assertEquals("page", body(innocent));
        assertTrue(cacheStatus(innocent).contains("hit"), cacheStatus(innocent));
        assertEquals(List.of(), cookies(innocent));
        assertEquals(2, servlets.served("/cached/page"));
    }

    // 2. A request with Cookie: no heuristic freshness.

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aPersonalisedPageWithOnlyLastModifiedIsNotReusedForAnotherUser(ServletContainer.Kind kind) throws Exception {
        start(kind, UnaryOperator.identity(), context -> servlets.serve(context, "profile", (request, response) -> {
            response.setHeader("Last-Modified", LAST_MODIFIED_LONG_AGO);
            response.getWriter().print("profile of " + request.getHeader("Cookie"));
        }));

        HttpResponse<byte[]> alice = client.get("/cached/profile", "Cookie", "user=alice");
        HttpResponse<byte[]> bob = client.get("/cached/profile", "Cookie", "user=bob");

        assertEquals("profile of user=alice", body(alice));
        assertEquals("profile of user=bob", body(bob));
        assertFalse(cacheStatus(alice).contains("; stored"), cacheStatus(alice));
        assertEquals(2, servlets.served("/cached/profile"));
    }

    // 3. Never-fresh responses are not kept; a failure is answered stale only after explicit freshness.

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void responsesThatWereNeverFreshOrOnlyGuessedAreNotServedWhenTheServletFails(ServletContainer.Kind kind) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        start(kind, UnaryOperator.identity(), context -> {
            servlets.serve(context, "account", (request, response) -> {
                if (calls.incrementAndGet() > 1) {
                    throw new IllegalStateException("database down");
                }
                response.getWriter().print("account of " + request.getHeader("Cookie"));
            });
            servlets.serve(context, "guessed", (request, response) -> {
                if (servlets.served("/cached/guessed") > 1) {
                    throw new IllegalStateException("database down");
                }
                response.setHeader("Last-Modified", LAST_MODIFIED_LONG_AGO);
                response.getWriter().print("guessed");
            });
        });

        HttpResponse<byte[]> alice = client.get("/cached/account", "Cookie", "user=alice");
        HttpResponse<byte[]> bob = client.get("/cached/account", "Cookie", "user=bob");
        HttpResponse<byte[]> guessed = client.get("/cached/guessed");
        clock.advance(Duration.ofDays(1).plusMinutes(30));
        HttpResponse<byte[]> guessedDuringFailure = client.get("/cached/guessed");

        assertEquals("account of user=alice", body(alice));
        assertEquals(500, bob.statusCode(), "the container's error, as without the filter");
        assertFalse(body(bob).contains("alice"), body(bob));
        assertTrue(cacheStatus(guessed).contains("; stored"), cacheStatus(guessed));
        assertEquals(500, guessedDuringFailure.statusCode());
        assertEquals(2, servlets.served("/cached/account"));
        assertEquals(2, servlets.served("/cached/guessed"));
    }

    // 4. The servlet never sees a client's forwarding fields.

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void theServletNeverSeesAClientsForwardingFieldsSoNobodyIsPoisoned(ServletContainer.Kind kind) throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        start(kind, UnaryOperator.identity(), context -> servlets.serve(context, "home", (request, response) -> {
            for (String name : List.of("X-Forwarded-Host", "X-Forwarded-For", "Forwarded", "X-Original-URL", "X-Rewrite-URL",
                    "X-Real-IP", "X-Host")) {
                if (request.getHeader(name) != null || request.getHeaders(name).hasMoreElements()) {
                    seen.add(name);
                }
            }
            java.util.Collections.list(request.getHeaderNames()).stream()
                    .filter(name -> name.toLowerCase(java.util.Locale.ROOT).startsWith("x-forwarded")).forEach(seen::add);
            response.setHeader("Cache-Control", "public, max-age=300");
            response.getWriter().print("link to //" + request.getHeader("X-Forwarded-Host") + "/login");
        }));

        HttpResponse<byte[]> attacker = client.get("/cached/home", "X-Forwarded-Host", "evil.example", "X-Forwarded-For", "6.6.6.6",
                "Forwarded", "host=evil.example", "X-Original-URL", "/admin", "X-Rewrite-URL", "/admin", "X-Real-IP", "6.6.6.6",
                "X-Host", "evil.example");
        HttpResponse<byte[]> innocent = client.get("/cached/home");

        assertEquals("link to //null/login", body(attacker));
        assertEquals("link to //null/login", body(innocent));
        assertTrue(cacheStatus(innocent).contains("hit"), cacheStatus(innocent));
        assertEquals(List.of(), seen, "the servlet saw none of the attacker's forwarding fields");
        assertEquals(1, servlets.served("/cached/home"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aTrustedProxysForwardingFieldsReachTheServletAndConfiguredOnesNeverDo(ServletContainer.Kind kind) throws Exception {
        ClientForwarding forwarding = ClientForwarding.builder().trustedProxies("127.0.0.1, ::1")
                .stripRequestHeaders("X-HTTP-Method-Override").build();
        container = kind.start((classes, context) -> {
            servlets.serve(context, "echo", (request, response) -> response.getWriter().print(
                    request.getHeader("X-Forwarded-Host") + " " + request.getHeader("X-HTTP-Method-Override")));
            EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
            cache(context, CachingFilter.builder().store(store).clock(clock).forwarding(forwarding).build());
        });
        client = new Client(container.port());

        HttpResponse<byte[]> viaLoadBalancer = client.get("/cached/echo", "X-Forwarded-Host", "shop.example.com",
                "X-HTTP-Method-Override", "DELETE");

        assertEquals("shop.example.com null", body(viaLoadBalancer));
    }

    // 5. A GET with content neither reads nor writes the cache.

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aGetWithContentReachesTheServletAndItsResponseIsNeverStoredUnderTheUrl(ServletContainer.Kind kind) throws Exception {
        start(kind, UnaryOperator.identity(), context -> servlets.serve(context, "search", (request, response) -> {
            response.setHeader("Cache-Control", "public, max-age=300");
            String content = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            response.getWriter().print("results for [" + content + "]");
        }));

        HttpResponse<byte[]> attacker = client.send(client.request("/cached/search")
                .method("GET", HttpRequest.BodyPublishers.ofString("<script>poison</script>")));
        HttpResponse<byte[]> innocent = client.get("/cached/search");
        HttpResponse<byte[]> withContent = client.send(client.request("/cached/search")
                .method("GET", HttpRequest.BodyPublishers.ofString("other")));

        assertEquals("results for [<script>poison</script>]", body(attacker));
        assertTrue(cacheStatus(attacker).contains("fwd=bypass"), cacheStatus(attacker));
        assertEquals("results for []", body(innocent));
        assertEquals("results for [other]", body(withContent));
        assertEquals(3, servlets.served("/cached/search"));
    }

    // 6. CONNECT and TRACE never reach the servlet.

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void connectAndTraceNeverReachTheServletNorEchoTheRequest(ServletContainer.Kind kind) throws Exception {
        start(kind, UnaryOperator.identity(), context -> servlets.serve(context, "echo", (request, response) -> {
            response.setHeader("Cache-Control", "max-age=60");
            response.getWriter().print("echo " + request.getMethod() + " " + request.getHeader("Cookie"));
        }));

        String connect = raw("CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nConnection: close\r\n\r\n");
        String trace = raw("TRACE /cached/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: session=secret\r\nConnection: close\r\n\r\n");
        HttpResponse<byte[]> innocent = client.get("/cached/echo");

        // The container may refuse them before the filter runs (Tomcat: 405 for TRACE); either way not 2xx.
        assertFalse(connect.startsWith("HTTP/1.1 2"), connect);
        assertFalse(trace.startsWith("HTTP/1.1 2"), trace);
        assertFalse(trace.contains("session=secret"), trace);
        assertEquals("echo GET null", body(innocent));
        assertEquals(1, servlets.served("/cached/echo"));
    }

    // 8. A 304 that matches nothing stored never reaches a client that asked no condition.

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aNotModifiedThatMatchesNoStoredResponseBecomesA502AndTheEntryIsNotFreshened(ServletContainer.Kind kind) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        start(kind, UnaryOperator.identity(), context -> servlets.serve(context, "doc", (request, response) -> {
            switch (calls.incrementAndGet()) {
                case 1 -> {
                    response.setHeader("ETag", "\"a\"");
                    response.setHeader("Cache-Control", "max-age=10");
                    response.getWriter().print("old");
                }
                case 2 -> {
                    assertEquals("\"a\"", request.getHeader("If-None-Match"));
                    response.setHeader("ETag", "\"b\"");
                    response.setHeader("Cache-Control", "max-age=600");
                    response.setStatus(304);
                }
                default -> {
                    response.setHeader("ETag", "\"b\"");
                    response.setHeader("Cache-Control", "max-age=10");
                    response.getWriter().print("new " + request.getHeader("If-None-Match"));
                }
            }
        }));
        client.get("/cached/doc");
        clock.advance(Duration.ofSeconds(20));

        HttpResponse<byte[]> plainGet = client.get("/cached/doc");
        HttpResponse<byte[]> next = client.get("/cached/doc");

        assertEquals(502, plainGet.statusCode(), "never an empty 304 to a plain GET");
        assertEquals("Bad Gateway: the origin's 304 matches no stored response\n", body(plainGet));
        assertEquals("new null", body(next), "not freshened: the next request fetched a whole response");
        assertEquals(3, servlets.served("/cached/doc"));
    }

    // 9. No internals in client-visible text.

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aStaleAnswerForAFailingServletCarriesAFixedPhraseNotTheFailure(ServletContainer.Kind kind) throws Exception {
        start(kind, UnaryOperator.identity(), context -> servlets.serve(context, "report", (request, response) -> {
            if (servlets.served("/cached/report") > 1) {
                throw new IllegalStateException("connection to 10.1.2.3:5432 refused by HikariPool@1a2b3c");
            }
            response.setHeader("Cache-Control", "max-age=1, stale-if-error=600");
            response.getWriter().print("report");
        }));
        client.get("/cached/report");
        clock.advance(Duration.ofSeconds(30));

        HttpResponse<byte[]> stale = client.get("/cached/report");

        assertEquals("report", body(stale));
        String visible = cacheStatus(stale);
        assertTrue(visible.contains("the origin sent a broken response"), visible);
        assertFalse(visible.contains("10.1.2.3") || visible.contains("Hikari") || visible.contains("Exception"), visible);
        assertEquals(2, servlets.served("/cached/report"));
    }

    private void start(ServletContainer.Kind kind, UnaryOperator<CachingEngine.Builder> engine, CachingFilterTest.Setup setup)
            throws Exception {
        container = kind.start((classes, context) -> {
            setup.accept(context);
            EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
            CachingEngine built = engine.apply(CachingEngine.builder().store(store).clock(clock)).build();
            cache(context, new CachingFilter(built));
        });
        client = new Client(container.port());
    }

    private static void cache(ServletContext context, CachingFilter filter) {
        FilterRegistration.Dynamic registration = context.addFilter("cacheproxy", filter);
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/cached/*");
    }

    /** Raw bytes to the container, and what it answers until it closes the connection or 2 s pass. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), container.port())) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException enough) {
                // keep what arrived
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static List<String> cookies(HttpResponse<byte[]> response) {
        return response.headers().allValues("Set-Cookie");
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static String cacheStatus(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Cache-Status").orElse("(no Cache-Status)");
    }
}
