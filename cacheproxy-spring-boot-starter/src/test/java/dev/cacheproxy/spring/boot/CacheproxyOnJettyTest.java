package dev.cacheproxy.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import java.net.http.HttpResponse;
import org.eclipse.jetty.util.Jetty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in a Spring Boot application on Jetty, the version its Boot line manages (3.5: 12.0; 4.0: 12.1, EE 11), without
 * Spring Security: the filter and a route cache, and the endpoint purges once its access allows it.
 */
@SpringBootTest(classes = {TestApplication.class, BootLine.OnJetty.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "cacheproxy.filter.url-patterns=/cached/*",
            "cacheproxy.routes.backend.paths=/backend/*",
            "cacheproxy.routes.versioned.paths=/versioned/*",
            "cacheproxy.store.offheap-size=16MB",
            "management.endpoints.web.exposure.include=cacheproxy",
            "management.endpoint.cacheproxy.access=unrestricted",
            BootLine.WITHOUT_SECURITY})
class CacheproxyOnJettyTest {

    private static final TestOrigin ORIGIN = newOrigin();

    @LocalServerPort
    int port;

    @Autowired
    TestApplication.Pages pages;

    @Autowired
    CachingEngine engine;

    @Autowired
    ApplicationContext context;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry properties) {
        properties.add("cacheproxy.routes.backend.backends", ORIGIN::url);
        properties.add("cacheproxy.routes.versioned.backends", () -> ORIGIN.url() + "/v2");
    }

    @AfterAll
    static void stopOrigin() {
        ORIGIN.close();
    }

    @Test
    void theApplicationRunsOnTheJettyItsSpringBootLineManages() {
        assertInstanceOf(BootLine.JETTY_WEB_SERVER, BootLine.webServer(context));
        assertTrue(Jetty.VERSION.startsWith(BootLine.JETTY_VERSION), Jetty.VERSION);
    }

    @Test
    void theApplicationsOwnGetResponseIsAnsweredFromTheCacheTheSecondTime() throws Exception {
        int before = pages.calls.get();
        HttpResponse<String> miss = Http.get(port, "/cached/on-jetty");
        Stored.await(engine, "http://127.0.0.1:" + port + "/cached/on-jetty");
        HttpResponse<String> hit = Http.get(port, "/cached/on-jetty");

        assertEquals(miss.body(), hit.body());
        assertTrue(Http.cacheStatus(hit).startsWith("cacheproxy; hit"), Http.cacheStatus(hit));
        assertEquals(before + 1, pages.calls.get());
    }

    @Test
    void aProxyRouteAnswersTheBackendsResponseFromTheCacheTheSecondTime() throws Exception {
        int before = ORIGIN.requestCount();
        HttpResponse<String> miss = Http.get(port, "/backend/page");
        Stored.await(engine, ORIGIN.url() + "/backend/page");
        HttpResponse<String> hit = Http.get(port, "/backend/page");

        assertEquals(200, miss.statusCode());
        assertEquals(miss.body(), hit.body());
        assertTrue(Http.cacheStatus(hit).startsWith("cacheproxy; hit"), Http.cacheStatus(hit));
        assertEquals(before + 1, ORIGIN.requestCount());
    }

    @Test
    void withoutSpringSecurityTheEndpointPurgesOnceItsAccessIsUnrestricted() throws Exception {
        Http.get(port, "/backend/purged");
        Stored.await(engine, ORIGIN.url() + "/backend/purged");

        HttpResponse<String> purged = Http.postJson(port, "/actuator/cacheproxy", "{\"url\":\"" + ORIGIN.url() + "/backend/purged\"}");
        HttpResponse<String> afterPurge = Http.get(port, "/backend/purged");

        assertEquals(200, purged.statusCode(), purged.body());
        assertTrue(purged.body().contains("\"entries\":1"), purged.body());
        assertTrue(Http.cacheStatus(afterPurge).contains("fwd=uri-miss"), Http.cacheStatus(afterPurge));
    }

    @Test
    void theEndpointPurgesByTheURLClientsUseWhatARouteWhoseBackendsHaveAPathStored() throws Exception {
        HttpResponse<String> miss = Http.get(port, "/versioned/item");
        assertTrue(miss.body().endsWith(" for /v2/versioned/item"), miss.body());
        Stored.await(engine, ORIGIN.url() + "/versioned/item", "/v2");

        HttpResponse<String> purged = Http.postJson(port, "/actuator/cacheproxy",
                "{\"url\":\"http://127.0.0.1:" + port + "/versioned/item\"}");
        HttpResponse<String> afterPurge = Http.get(port, "/versioned/item");

        assertEquals(200, purged.statusCode(), purged.body());
        assertTrue(purged.body().contains("\"entries\":1"), purged.body());
        assertTrue(Http.cacheStatus(afterPurge).contains("fwd=uri-miss"), Http.cacheStatus(afterPurge));
    }


    private static TestOrigin newOrigin() {
        try {
            return new TestOrigin();
        } catch (java.io.IOException cannotListen) {
            throw new IllegalStateException(cannotListen);
        }
    }
}
