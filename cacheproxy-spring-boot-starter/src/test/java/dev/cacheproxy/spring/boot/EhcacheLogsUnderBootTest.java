package dev.cacheproxy.spring.boot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Ehcache's INFO lines stay out of a Spring Boot application's log (Logback, Boot's default) when the
 * starter opens its store, and come back when the application asks for them with
 * {@code logging.level.org.ehcache}, which Boot applies before the store opens.
 */
@ExtendWith(OutputCaptureExtension.class)
class EhcacheLogsUnderBootTest {

    private static final String CREATED = "Cache 'cacheproxy' created";

    @Test
    void startingTheStarterLogsNothingFromEhcacheAtInfo(CapturedOutput output) {
        try (ConfigurableApplicationContext application = start()) {
            assertTrue(application.containsBean("cacheproxyStore"));
        }

        assertFalse(output.getAll().contains(CREATED), output::getAll);
        assertFalse(output.getAll().contains("Allocating"), output::getAll);
    }

    @Test
    void aLevelTheApplicationSetsForEhcacheWins(CapturedOutput output) {
        try (ConfigurableApplicationContext application = start("logging.level.org.ehcache=INFO")) {
            assertTrue(application.containsBean("cacheproxyStore"));
        }

        assertTrue(output.getAll().contains(CREATED), output::getAll);
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(TestApplication.class)
                .properties("server.port=0", "cacheproxy.filter.url-patterns=/cached/*", "cacheproxy.store.offheap-size=1MB",
                        BootLine.WITHOUT_SECURITY)
                .properties(properties)
                .run();
    }
}
