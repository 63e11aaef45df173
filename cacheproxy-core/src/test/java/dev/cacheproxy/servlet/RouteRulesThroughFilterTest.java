package dev.cacheproxy.servlet;

import dev.cacheproxy.store.EhcacheStore;
import dev.cacheproxy.testing.ManualClock;
import dev.cacheproxy.testing.OriginRendezvous;
import dev.cacheproxy.testing.RouteCases;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each route rule and request normalizer through the filter in front of a real servlet, in a real
 * Tomcat and a real Jetty, with a real client: one container per kind, one filter per scenario, each in
 * front of its own prefix.
 */
final class RouteRulesThroughFilterTest {

    private ServletContainer container;

    @AfterEach
    void stop() {
        if (container != null) {
            container.close();
        }
    }

    static Stream<Arguments> containers() {
        return ServletContainer.Kind.selected().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void routeRulesAndNormalizersWorkThroughTheFilter(ServletContainer.Kind kind) throws Exception {
        int count = (int) RouteCases.cases().count();
        List<RouteCases.Case> cases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cases.add(RouteCases.cases("/case" + i).toList().get(i));
        }
        List<ManualClock> clocks = new ArrayList<>();
        AtomicInteger served = new AtomicInteger();
        OriginRendezvous[] rendezvous = {new OriginRendezvous()};
        int[] status = {200};
        String[][] lines = {new String[0]};
        container = kind.start((classes, context) -> {
            ServletRegistration.Dynamic servlet = context.addServlet("origin", new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    try {
                        rendezvous[0].arrive();
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    response.setStatus(status[0]);
                    for (int i = 0; i < lines[0].length; i += 2) {
                        response.addHeader(lines[0][i], lines[0][i + 1]);
                    }
                    response.getWriter().print("#" + served.incrementAndGet() + " ae=" + orDash(request.getHeader("Accept-Encoding"))
                            + " cookie=" + orDash(request.getHeader("Cookie")) + " debug=" + orDash(request.getHeader("X-Debug")));
                }
            });
            servlet.setAsyncSupported(true);
            servlet.addMapping("/*");
            for (int i = 0; i < cases.size(); i++) {
                ManualClock clock = ManualClock.atSystemTime();
                clocks.add(clock);
                CachingFilter filter = CachingFilter.builder().clock(clock)
                        .store(EhcacheStore.builder().heapEntries(100).offHeapMegabytes(4).build())
                        .routes(cases.get(i).routes()).normalizeRequests(cases.get(i).normalizer()).build();
                FilterRegistration.Dynamic registration = context.addFilter("route-case-" + i, filter);
                registration.setAsyncSupported(true);
                registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/case" + i + "/*");
            }
        });
        Client client = new Client(container.port());

        for (int i = 0; i < cases.size(); i++) {
            String prefix = "/case" + i;
            ManualClock clock = clocks.get(i);
            served.set(0);
            status[0] = 200;
            lines[0] = new String[0];
            rendezvous[0] = new OriginRendezvous();
            OriginRendezvous meeting = rendezvous[0];
            cases.get(i).scenario().run(new RouteCases.Harness() {
                @Override
                public void originAnswers(int newStatus, String... headerLines) {
                    status[0] = newStatus;
                    lines[0] = headerLines;
                }

                @Override
                public RouteCases.Answer get(String path, String... headerLines) throws Exception {
                    HttpResponse<byte[]> response = client.get(prefix + path, headerLines);
                    return new RouteCases.Answer(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8),
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
                    return meeting;
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
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
