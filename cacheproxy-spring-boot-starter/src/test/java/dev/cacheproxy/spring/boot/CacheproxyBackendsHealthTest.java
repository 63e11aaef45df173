package dev.cacheproxy.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.core.CachingEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A route whose every backend is out: the application's overall health (what a liveness probe or a load
 * balancer asks) stays UP, and a readiness group that includes the backends' contributor goes DOWN.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "cacheproxy.routes.gone.paths=/gone/*",
            "cacheproxy.store.offheap-size=16MB",
            "management.endpoints.web.exposure.include=health",
            "management.endpoint.health.probes.enabled=true",
            "management.endpoint.health.group.readiness.include=readinessState,cacheproxyBackends",
            "management.endpoint.health.show-components=always",
            "management.endpoint.health.show-details=always",
            BootLine.WITHOUT_SECURITY})
class CacheproxyBackendsHealthTest {

    @LocalServerPort
    int port;

    @Autowired
    CachingEngine engine;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry properties) {
        properties.add("cacheproxy.routes.gone.backends", () -> "http://127.0.0.1:" + closedPort());
    }

    @Test
    void aRouteWhoseBackendsAreAllOutFailsReadinessButNotTheOverallHealth() throws Exception {
        assertEquals(200, Http.get(port, "/actuator/health/readiness").statusCode(), "ready while the backend is in");

        ejectEveryBackend();
        HttpResponse<String> overall = Http.get(port, "/actuator/health");
        HttpResponse<String> store = Http.get(port, "/actuator/health/cacheproxy");
        HttpResponse<String> liveness = Http.get(port, "/actuator/health/liveness");
        HttpResponse<String> readiness = Http.get(port, "/actuator/health/readiness");
        HttpResponse<String> backends = Http.get(port, "/actuator/health/readiness/cacheproxyBackends");

        assertEquals(200, overall.statusCode(), overall.body());
        assertTrue(overall.body().contains("\"cacheproxy\":{"), overall.body());
        assertFalse(overall.body().contains(BackendPools.CONTRIBUTOR), overall.body());
        assertEquals(200, store.statusCode(), store.body());
        assertTrue(store.body().contains("\"status\":\"UP\""), store.body());
        assertEquals(200, liveness.statusCode(), liveness.body());
        assertEquals(503, readiness.statusCode(), readiness.body());
        assertTrue(readiness.body().contains("\"cacheproxyBackends\":{"), readiness.body());
        assertEquals(503, backends.statusCode(), backends.body());
        assertTrue(backends.body().contains("\"status\":\"DOWN\""), backends.body());
        assertTrue(backends.body().contains("\"unavailablePools\":[\"gone\"]"), backends.body());
        assertTrue(backends.body().contains("\"EJECTED\""), backends.body());
    }

    /** Sends requests to the route until its backend, which refuses connections, is ejected. */
    private void ejectEveryBackend() throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpResponse<String> failed = Http.get(port, "/gone/page-" + attempt);
            assertTrue(failed.statusCode() == 502 || failed.statusCode() == 504, failed.statusCode() + " " + failed.body());
            if (engine.statistics().backends().stream().noneMatch(row -> row.state() == BackendStatistics.State.HEALTHY)) {
                return;
            }
        }
        throw new AssertionError("the backend was not ejected: " + engine.statistics().backends());
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException cannotListen) {
            throw new UncheckedIOException(cannotListen);
        }
    }
}
