package dev.cacheproxy.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.CachingEngine;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import org.apache.catalina.util.ServerInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in a Spring Boot application on Tomcat (Boot's default; 3.5: 10.1, 4.0: 11) with Actuator,
 * Micrometer and Spring Security: the filter caches the application's own pages, a route caches a
 * backend's, and the endpoint, meters and health indicator work.
 */
@SpringBootTest(classes = {TestApplication.class, BootLine.OnTomcat.class, CacheproxyOnTomcatTest.Security.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "cacheproxy.filter.url-patterns=/cached/*",
            "cacheproxy.routes.backend.paths=/backend/*",
            "cacheproxy.store.offheap-size=16MB",
            "management.endpoints.web.exposure.include=cacheproxy,health",
            "management.endpoint.cacheproxy.access=unrestricted",
            "management.endpoint.health.show-components=always",
            "management.endpoint.health.show-details=always",
            "management.endpoint.health.group.backends.include=cacheproxyBackends",
            "management.endpoint.health.group.backends.show-details=always"})
class CacheproxyOnTomcatTest {

    private static final TestOrigin ORIGIN = newOrigin();

    @LocalServerPort
    int port;

    @Autowired
    TestApplication.Pages pages;

    @Autowired
    CachingEngine engine;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ApplicationContext context;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry properties) {
        properties.add("cacheproxy.routes.backend.backends", ORIGIN::url);
    }

    @AfterAll
    static void stopOrigin() {
        ORIGIN.close();
    }

    @Test
    void theApplicationRunsOnTheTomcatItsSpringBootLineManages() {
        assertInstanceOf(BootLine.TOMCAT_WEB_SERVER, BootLine.webServer(context));
        assertTrue(ServerInfo.getServerNumber().startsWith(BootLine.TOMCAT_VERSION), ServerInfo.getServerNumber());
    }

    @Test
    void theApplicationsOwnGetResponseIsAnsweredFromTheCacheTheSecondTime() throws Exception {
        int before = pages.calls.get();
        HttpResponse<String> miss = Http.get(port, "/cached/own");
        Stored.await(engine, "http://127.0.0.1:" + port + "/cached/own");
        HttpResponse<String> hit = Http.get(port, "/cached/own");

        assertEquals(200, hit.statusCode());
        assertEquals(miss.body(), hit.body());
        assertTrue(Http.cacheStatus(hit).startsWith("cacheproxy; hit"), Http.cacheStatus(hit));
        assertEquals(before + 1, pages.calls.get());
    }

    @Test
    void aProxyRouteAnswersTheBackendsResponseFromTheCacheTheSecondTime() throws Exception {
        int before = ORIGIN.requestCount();
        HttpResponse<String> miss = Http.get(port, "/backend/page?x=1");
        Stored.await(engine, ORIGIN.url() + "/backend/page?x=1");
        HttpResponse<String> hit = Http.get(port, "/backend/page?x=1");

        assertEquals(200, miss.statusCode());
        assertTrue(miss.body().endsWith("for /backend/page?x=1"), miss.body());
        assertEquals(miss.body(), hit.body());
        assertTrue(Http.cacheStatus(hit).startsWith("cacheproxy; hit"), Http.cacheStatus(hit));
        assertEquals(before + 1, ORIGIN.requestCount());
    }

    @Test
    void theEngineMetersAreInTheApplicationsRegistry() throws Exception {
        Http.get(port, "/cached/metered");

        assertNotNull(meters.find("cacheproxy.requests").tag("cache", "cacheproxy").tag("result", "hit").functionCounter());
        assertTrue(meters.get("cacheproxy.requests").functionCounters().stream().mapToDouble(counter -> counter.count()).sum() > 0);
    }

    @Test
    void theEndpointReportsStatisticsToAnAuthenticatedUser() throws Exception {
        Http.get(port, "/cached/counted");

        HttpResponse<String> anonymous = Http.get(port, "/actuator/cacheproxy");
        HttpResponse<String> viewer = Http.get(port, "/actuator/cacheproxy", "viewer", "viewer-password");

        assertEquals(401, anonymous.statusCode());
        assertEquals(200, viewer.statusCode());
        assertTrue(viewer.body().contains("\"requests\":"), viewer.body());
        assertTrue(viewer.body().contains("\"store\":{\"entries\":"), viewer.body());
    }

    @Test
    void purgingThroughTheEndpointNeedsTheAdminRole() throws Exception {
        Http.get(port, "/cached/time");
        Stored.await(engine, "http://127.0.0.1:" + port + "/cached/time");

        HttpResponse<String> refused = Http.postJson(port, "/actuator/cacheproxy", "{\"all\":true}", "viewer", "viewer-password");
        HttpResponse<String> stillCached = Http.get(port, "/cached/time");
        HttpResponse<String> purged = Http.postJson(port, "/actuator/cacheproxy",
                "{\"url\":\"http://127.0.0.1:" + port + "/cached/time\"}", "admin", "admin-password");
        HttpResponse<String> afterPurge = Http.get(port, "/cached/time");

        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(Http.cacheStatus(stillCached).startsWith("cacheproxy; hit"), Http.cacheStatus(stillCached));
        assertEquals(200, purged.statusCode(), purged.body());
        assertTrue(purged.body().contains("\"entries\":1"), purged.body());
        assertTrue(Http.cacheStatus(afterPurge).contains("fwd=uri-miss"), Http.cacheStatus(afterPurge));
    }

    @Test
    void aPurgeWithNeitherUrlTagNorAllIsABadRequest() throws Exception {
        HttpResponse<String> bad = Http.postJson(port, "/actuator/cacheproxy", "{\"url\":\"/relative\"}", "admin", "admin-password");

        assertEquals(400, bad.statusCode(), bad.body());
    }

    @Test
    void theStoresHealthIsPartOfTheOverallHealth() throws Exception {
        HttpResponse<String> overall = Http.get(port, "/actuator/health", "viewer", "viewer-password");
        HttpResponse<String> store = Http.get(port, "/actuator/health/cacheproxy", "viewer", "viewer-password");

        assertEquals(200, overall.statusCode(), overall.body());
        assertTrue(overall.body().contains("\"cacheproxy\":{"), overall.body());
        assertEquals(200, store.statusCode(), store.body());
        assertTrue(store.body().contains("\"status\":\"UP\""), store.body());
        assertTrue(store.body().contains("\"entries\":"), store.body());
    }

    @Test
    void theBackendsHealthIsInTheGroupsThatIncludeIt() throws Exception {
        HttpResponse<String> backends = Http.get(port, "/actuator/health/backends", "viewer", "viewer-password");

        assertEquals(200, backends.statusCode(), backends.body());
        assertTrue(backends.body().contains("\"" + ORIGIN.url() + "\":\"HEALTHY\""), backends.body());
    }


    /** The application's own security: its pages are public, Actuator needs a user, a purge the admin role. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Security {

        @Bean
        SecurityFilterChain actuator(HttpSecurity http) throws Exception {
            return http.securityMatcher(BootLine.anyEndpoint())
                    .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                    .httpBasic(Customizer.withDefaults())
                    .csrf(csrf -> csrf.disable())
                    .build();
        }

        @Bean
        SecurityFilterChain pages(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                    .headers(headers -> headers.cacheControl(cacheControl -> cacheControl.disable()))
                    .build();
        }

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("admin").password("{noop}admin-password").roles("CACHEPROXY_ADMIN").build(),
                    User.withUsername("viewer").password("{noop}viewer-password").roles("VIEWER").build());
        }
    }

    private static TestOrigin newOrigin() {
        try {
            return new TestOrigin();
        } catch (java.io.IOException cannotListen) {
            throw new IllegalStateException(cannotListen);
        }
    }
}
