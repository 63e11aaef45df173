package dev.cacheproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The filter in front of real servlets, in a real Tomcat and a real Jetty, with a real client on 127.0.0.1. */
final class CachingFilterTest {

    private static final byte[] BINARY = new byte[100_000];

    static {
        new Random(7).nextBytes(BINARY);
    }

    private final ManualClock clock = ManualClock.atSystemTime();
    private final Servlets servlets = new Servlets();
    private final ExecutorService otherThreads = Executors.newFixedThreadPool(2);
    private ServletContainer container;
    private Client client;

    static Stream<ServletContainer.Kind> containers() {
        return ServletContainer.Kind.selected();
    }

    @AfterEach
    void stop() throws Exception {
        otherThreads.shutdownNow();
        if (container != null) {
            container.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aWriterResponseIsServedAgainWithTheSameStatusFieldsEncodingAndBytes(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "text", (request, response) -> {
            response.setStatus(203);
            response.setContentType("text/plain");
            response.setCharacterEncoding("ISO-8859-1");
            response.setHeader("Cache-Control", "max-age=60");
            response.addHeader("X-Kind", "one");
            response.addHeader("X-Kind", "two");
            PrintWriter writer = response.getWriter();
            writer.print("caf\u00e9 cr\u00e8me, ");
            writer.print("unmappable \u20ac");
        }));

        HttpResponse<byte[]> direct = client.get("/direct/text");
        HttpResponse<byte[]> miss = client.get("/cached/text");
        HttpResponse<byte[]> hit = client.get("/cached/text");

        assertEquals(1, servlets.served("/cached/text"));
        assertTrue(cacheStatus(miss).contains("fwd=uri-miss; fwd-status=203; stored"), cacheStatus(miss));
        assertTrue(cacheStatus(hit).contains("hit"), cacheStatus(hit));
        for (HttpResponse<byte[]> cached : List.of(miss, hit)) {
            assertEquals(203, cached.statusCode());
            assertEquals(direct.headers().firstValue("Content-Type"), cached.headers().firstValue("Content-Type"));
            assertEquals(List.of("one", "two"), cached.headers().allValues("X-Kind"));
            assertArrayEquals(direct.body(), cached.body());
        }
        assertEquals("caf\u00e9 cr\u00e8me, unmappable ?", new String(hit.body(), StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aStreamLargerThanTheBufferAndFlushedMidwayIsStoredWhole(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "binary", (request, response) -> {
            response.setContentType("application/octet-stream");
            response.setHeader("Cache-Control", "public, max-age=60");
            ServletOutputStream out = response.getOutputStream();
            out.write(BINARY, 0, 1000);
            response.flushBuffer();
            out.write(BINARY, 1000, BINARY.length - 1000);
        }));

        HttpResponse<byte[]> miss = client.get("/cached/binary");
        HttpResponse<byte[]> hit = client.get("/cached/binary");

        assertArrayEquals(BINARY, miss.body());
        assertArrayEquals(BINARY, hit.body());
        assertTrue(cacheStatus(hit).contains("hit"), cacheStatus(hit));
        assertEquals(String.valueOf(BINARY.length), hit.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(1, servlets.served("/cached/binary"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aDeclaredContentLengthIsKeptAndTheBodyStored(ServletContainer.Kind kind) throws Exception {
        byte[] body = "exactly this".getBytes(StandardCharsets.US_ASCII);
        start(kind, context -> servlets.serve(context, "sized", (request, response) -> {
            response.setHeader("Cache-Control", "max-age=60");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }));

        HttpResponse<byte[]> miss = client.get("/cached/sized");
        HttpResponse<byte[]> hit = client.get("/cached/sized");

        assertEquals(String.valueOf(body.length), miss.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(body, hit.body());
        assertTrue(cacheStatus(hit).contains("hit"), cacheStatus(hit));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void anAsyncResponseWrittenAndCompletedOnAnotherThreadIsStored(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "async", (request, response) -> {
            AsyncContext async = request.startAsync();
            otherThreads.execute(() -> {
                try {
                    response.setHeader("Cache-Control", "max-age=60");
                    response.setContentType("application/octet-stream");
                    async.getResponse().getOutputStream().write(BINARY);
                } catch (java.io.IOException failed) {
                    throw new java.io.UncheckedIOException(failed);
                } finally {
                    async.complete();
                }
            });
        }));

        HttpResponse<byte[]> miss = client.get("/cached/async");
        HttpResponse<byte[]> hit = client.get("/cached/async");

        assertArrayEquals(BINARY, miss.body());
        assertArrayEquals(BINARY, hit.body());
        assertTrue(cacheStatus(hit).contains("hit"), cacheStatus(hit));
        assertEquals(1, servlets.served("/cached/async"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aClientsMatchingIfNoneMatchGetsA304FromAFreshEntry(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "etag", (request, response) -> {
            response.setHeader("Cache-Control", "max-age=60");
            response.setHeader("ETag", "\"v1\"");
            response.getWriter().print("tagged");
        }));
        client.get("/cached/etag");

        HttpResponse<byte[]> notModified = client.get("/cached/etag", "If-None-Match", "\"v1\"");

        assertEquals(304, notModified.statusCode());
        assertTrue(cacheStatus(notModified).contains("hit"), cacheStatus(notModified));
        assertEquals(1, servlets.served("/cached/etag"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aStaleEntryIsRevalidatedWithItsEtagAndTheServlets304ServesTheStoredBody(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "validated", (request, response) -> {
            response.setHeader("Cache-Control", "max-age=60");
            response.setHeader("ETag", "\"v1\"");
            if ("\"v1\"".equals(request.getHeader("If-None-Match"))) {
                response.setStatus(304);
                return;
            }
            response.getWriter().print("the body");
        }));
        client.get("/cached/validated");
        clock.advance(Duration.ofSeconds(61));

        HttpResponse<byte[]> revalidated = client.get("/cached/validated");

        assertEquals(200, revalidated.statusCode());
        assertEquals("the body", new String(revalidated.body(), StandardCharsets.UTF_8));
        assertTrue(cacheStatus(revalidated).contains("fwd=stale; fwd-status=304"), cacheStatus(revalidated));
        assertEquals(2, servlets.served("/cached/validated"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aStaleWhileRevalidateEntryIsRevalidatedInTheForegroundAndAHeadReleasesItsRefresh(ServletContainer.Kind kind)
            throws Exception {
        AtomicInteger version = new AtomicInteger();
        start(kind, context -> servlets.serve(context, "swr", (request, response) -> {
            response.setHeader("Cache-Control", "max-age=60, stale-while-revalidate=600");
            // The test's clock, not the container's: its Date would age the response by the clock's advance.
            response.setHeader("Date", DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                    .withZone(ZoneOffset.UTC).format(clock.instant()));
            response.getWriter().print("version " + version.incrementAndGet());
        }));
        client.get("/cached/swr");
        clock.advance(Duration.ofSeconds(61));

        HttpResponse<byte[]> revalidated = client.get("/cached/swr");
        HttpResponse<byte[]> hit = client.get("/cached/swr");
        clock.advance(Duration.ofSeconds(61));
        HttpResponse<byte[]> staleHead = client.send("HEAD", "/cached/swr");
        HttpResponse<byte[]> afterHead = client.get("/cached/swr");

        assertEquals("version 2", new String(revalidated.body(), StandardCharsets.UTF_8), "not the stale version 1");
        assertTrue(cacheStatus(revalidated).contains("fwd=stale"), cacheStatus(revalidated));
        assertTrue(cacheStatus(revalidated).contains("while the client waits") && !cacheStatus(revalidated).contains("background"),
                "the client waited for this revalidation: " + cacheStatus(revalidated));
        assertEquals("version 2", new String(hit.body(), StandardCharsets.UTF_8), cacheStatus(revalidated) + " then " + cacheStatus(hit));
        assertTrue(cacheStatus(hit).contains("hit"), cacheStatus(hit));
        assertEquals(200, staleHead.statusCode());
        assertEquals("version 3", new String(afterHead.body(), StandardCharsets.UTF_8),
                "the refresh the HEAD could not send was released, not held for a minute");
        assertEquals(3, servlets.served("/cached/swr"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void varyKeepsEachLanguagesResponseApart(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "greeting", (request, response) -> {
            response.setHeader("Cache-Control", "max-age=60");
            response.setHeader("Vary", "Accept-Language");
            response.getWriter().print("de".equals(request.getHeader("Accept-Language")) ? "Hallo" : "Hello");
        }));

        client.get("/cached/greeting", "Accept-Language", "en");
        client.get("/cached/greeting", "Accept-Language", "de");
        HttpResponse<byte[]> english = client.get("/cached/greeting", "Accept-Language", "en");
        HttpResponse<byte[]> german = client.get("/cached/greeting", "Accept-Language", "de");

        assertEquals("Hello", new String(english.body(), StandardCharsets.UTF_8));
        assertEquals("Hallo", new String(german.body(), StandardCharsets.UTF_8));
        assertEquals(2, servlets.served("/cached/greeting"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aSuccessfulPostInvalidatesTheStoredPage(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "doc", (request, response) -> {
            if (request.getMethod().equals("POST")) {
                response.getWriter().print("updated");
                return;
            }
            response.setHeader("Cache-Control", "max-age=600");
            response.getWriter().print("doc v" + servlets.served("/cached/doc"));
        }));
        client.get("/cached/doc");

        client.send("POST", "/cached/doc");
        HttpResponse<byte[]> after = client.get("/cached/doc");

        assertEquals("doc v3", new String(after.body(), StandardCharsets.UTF_8));
        assertTrue(cacheStatus(after).contains("fwd=uri-miss"), cacheStatus(after));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aHeadRequestIsAnsweredFromAStoredGetWithoutABody(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "file", (request, response) -> {
            response.setHeader("Cache-Control", "max-age=60");
            response.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII));
        }));
        client.get("/cached/file");

        HttpResponse<byte[]> head = client.send("HEAD", "/cached/file");

        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals("10", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(1, servlets.served("/cached/file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void cookiesPrivateResponsesAndPrincipalsAreNeverSharedByDefault(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> {
            servlets.serve(context, "cookie", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.addCookie(new Cookie("theme", "dark"));
                response.getWriter().print("with a cookie");
            });
            servlets.serve(context, "session", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                request.getSession(true).setAttribute("user", "someone");
                response.getWriter().print("with a session");
            });
            servlets.serve(context, "private", (request, response) -> {
                response.setHeader("Cache-Control", "private, max-age=60");
                response.getWriter().print("mine");
            });
            servlets.serve(context, "principal", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.getWriter().print("for " + request.getUserPrincipal().getName());
            });
            // Stands for container authentication: a principal without an Authorization field.
            Filter login = (request, response, chain) -> chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) request) {
                @Override
                public Principal getUserPrincipal() {
                    return () -> "alice";
                }
            }, response);
            context.addFilter("login", login).addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/cached/principal");
        });

        for (String path : List.of("/cached/cookie", "/cached/session", "/cached/private", "/cached/principal")) {
            HttpResponse<byte[]> first = client.get(path);
            HttpResponse<byte[]> second = client.get(path);
            assertTrue(cacheStatus(first).contains("fwd=uri-miss"), path + ": " + cacheStatus(first));
            assertFalse(cacheStatus(first).contains("; stored"), path + ": " + cacheStatus(first));
            assertTrue(cacheStatus(second).contains("fwd=uri-miss"), path + ": " + cacheStatus(second));
            assertEquals(2, servlets.served(path), path);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void sendErrorSendRedirectAndFailuresBehaveAsWithoutTheFilterAndAreNotStored(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> {
            servlets.serve(context, "error", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.getWriter().print("discarded by sendError");
                response.sendError(404);
            });
            servlets.serve(context, "redirect", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.sendRedirect("/elsewhere");
            });
            servlets.serve(context, "failing", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.getWriter().print("half a page");
                throw new IllegalStateException("the servlet broke");
            });
        });

        for (String name : List.of("error", "redirect", "failing")) {
            HttpResponse<byte[]> direct = client.get("/direct/" + name);
            HttpResponse<byte[]> first = client.get("/cached/" + name);
            HttpResponse<byte[]> second = client.get("/cached/" + name);
            assertEquals(direct.statusCode(), first.statusCode(), name);
            assertEquals(direct.statusCode(), second.statusCode(), name);
            assertEquals(direct.headers().firstValue("Location"), first.headers().firstValue("Location"), name);
            assertEquals(2, servlets.served("/cached/" + name), name + " must not be stored");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aResetBeforeCommitLeavesOnlyTheSecondResponse(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> servlets.serve(context, "reset", (request, response) -> {
            response.setHeader("X-Draft", "yes");
            response.getWriter().print("draft");
            response.reset();
            response.setHeader("Cache-Control", "max-age=60");
            response.getOutputStream().write("final".getBytes(StandardCharsets.US_ASCII));
        }));

        client.get("/cached/reset");
        HttpResponse<byte[]> hit = client.get("/cached/reset");

        assertEquals("final", new String(hit.body(), StandardCharsets.US_ASCII));
        assertTrue(hit.headers().firstValue("X-Draft").isEmpty());
        assertTrue(cacheStatus(hit).contains("hit"), cacheStatus(hit));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void includedContentIsStoredAndAForwardedResponseReachesTheClientWhole(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> {
            servlets.serve(context, "part", (request, response) -> response.getWriter().print("[part "
                    + request.getDispatcherType() + "]"));
            servlets.serve(context, "page", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.getWriter().print("page ");
                request.getRequestDispatcher("/cached/part").include(request, response);
            });
            servlets.serve(context, "forwarding", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                request.getRequestDispatcher("/cached/part").forward(request, response);
            });
        });

        client.get("/cached/page");
        HttpResponse<byte[]> page = client.get("/cached/page");
        HttpResponse<byte[]> firstForwarded = client.get("/cached/forwarding");
        HttpResponse<byte[]> forwarded = client.get("/cached/forwarding");

        assertEquals("page [part INCLUDE]", new String(page.body(), StandardCharsets.ISO_8859_1));
        assertTrue(cacheStatus(page).contains("hit"), cacheStatus(page));
        assertEquals(1, servlets.served("/cached/page"));
        // Tomcat finishes a forwarded response inside forward(), before the filter sees its end: it is
        // passed through there, and stored in Jetty. Either way the client gets it whole.
        assertEquals("[part FORWARD]", new String(firstForwarded.body(), StandardCharsets.ISO_8859_1));
        assertEquals("[part FORWARD]", new String(forwarded.body(), StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void initParamsConfigureTheFilterAsWebXmlDoes(ServletContainer.Kind kind) throws Exception {
        start(kind, context -> {
            var registration = context.addFilter("edge-cache", CachingFilter.class);
            registration.setInitParameter(CachingFilter.CACHE_NAME, "edge");
            registration.setInitParameter(CachingFilter.POLICY_CLASS, NoApiPolicy.class.getName());
            registration.setInitParameter(CachingFilter.MAX_OBJECT_SIZE, "1000000");
            registration.setInitParameter(CachingFilter.HEAP_ENTRIES, "100");
            registration.setInitParameter(CachingFilter.OFF_HEAP_MEGABYTES, "8");
            registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
            servlets.serve(context, "api", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.getWriter().print("api");
            });
            servlets.serve(context, "page", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.getWriter().print("page");
            });
        });

        client.get("/cached/api");
        HttpResponse<byte[]> api = client.get("/cached/api");
        client.get("/cached/page");
        HttpResponse<byte[]> page = client.get("/cached/page");

        assertTrue(cacheStatus(api).startsWith("edge; fwd=uri-miss"), cacheStatus(api));
        assertTrue(cacheStatus(page).startsWith("edge; hit"), cacheStatus(page));
    }

    private void start(ServletContainer.Kind kind, Setup setup) throws Exception {
        container = kind.start((classes, context) -> {
            setup.accept(context);
            if (context.getFilterRegistration("edge-cache") == null) {
                EhcacheStore store = EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build();
                Servlets.cache(context, CachingFilter.builder().store(store).clock(clock).build());
            }
        });
        client = new Client(container.port());
    }

    private static String cacheStatus(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Cache-Status").orElse("(no Cache-Status)");
    }

    /** Sets the test application up in a container's context. */
    @FunctionalInterface
    interface Setup {
        void accept(ServletContext context) throws jakarta.servlet.ServletException;
    }
}
