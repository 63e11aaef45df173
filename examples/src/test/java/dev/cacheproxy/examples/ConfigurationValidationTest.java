package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.admin.AdminEndpoint;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.ClientForwarding;
import dev.cacheproxy.jetty.CachingProxyServlet;
import dev.cacheproxy.servlet.CachingFilter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.net.URI;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every way of configuring validates the same way and fails before serving anything, with a message
 * that names the bad value: the builder, the proxy servlet's init-parameters (as {@code web.xml} or
 * {@code ServletHolder.setInitParameter} give them), the filter's, and the example's command line.
 */
final class ConfigurationValidationTest {

    private final CachingEngine engine = CachingEngine.builder().build();

    @AfterEach
    void close() {
        engine.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # bad value          | what every way says about it
            10.0.0.0/33          | the prefix of 10.0.0.0/33 must be 0 to 32 bits
            proxy.example.com    | "proxy.example.com" is not an IP address or CIDR block
            10.0.0.1/x           | the prefix of 10.0.0.1/x must be 0 to 32 bits
            ::1/129              | the prefix of ::1/129 must be 0 to 128 bits
            """)
    void aBadTrustedProxyIsRefusedTheSameWayEverywhere(String value, String reason) {
        assertRefused(reason, () -> ClientForwarding.builder().trustedProxies(value));
        assertRefused(reason, () -> servletInit(Map.of("trustedProxies", value)));
        assertRefused(reason, () -> filterInit(Map.of(CachingFilter.TRUSTED_PROXIES, value)));
        assertRefused(reason, () -> ExampleFlags.parse(List.of("--trusted-proxies", value)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            X(Debug)             | "X(Debug)" is not a header field name
            Host                 | Host cannot be stripped
            """)
    void aBadFieldToStripIsRefusedTheSameWayEverywhere(String value, String reason) {
        assertRefused(reason, () -> ClientForwarding.builder().stripRequestHeaders(value));
        assertRefused(reason, () -> servletInit(Map.of("stripRequestHeaders", value)));
        assertRefused(reason, () -> filterInit(Map.of(CachingFilter.STRIP_REQUEST_HEADERS, value)));
        assertRefused(reason, () -> ExampleFlags.parse(List.of("--strip-request-headers", value)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            x                    | an admin token must be at least 16 characters, got 1
            '  padded-token-0123456789  ' | an admin token must be non-empty, without spaces around it
            """)
    void aBadAdminTokenIsRefusedTheSameWayEverywhere(String value, String reason) {
        assertRefused(reason, () -> AdminEndpoint.builder(engine).token(value));
        assertRefused(reason, () -> servletInit(Map.of("adminToken", value)));
        assertRefused(reason, () -> ExampleFlags.parse(List.of("--admin-token", value)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            adminTokn            | unknown init-param "adminTokn"
            trusted-proxies      | unknown init-param "trusted-proxies"
            adminAllow           | adminAllow is set but adminToken is not
            """)
    void aMisspeltOrOrphanServletInitParameterFailsInsteadOfBeingIgnored(String name, String reason) {
        assertRefused(reason, () -> servletInit(Map.of(name, "127.0.0.1")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            trustedProxies       | unknown init-param "trustedProxies"
            adminToken           | unknown init-param "adminToken"
            """)
    void aMisspeltFilterInitParameterFailsInsteadOfBeingIgnored(String name, String reason) {
        assertRefused(reason, () -> filterInit(Map.of(name, "127.0.0.1")));
    }

    private static void assertRefused(String reason, Executable configure) {
        Exception refused = assertThrows(Exception.class, configure::run);
        assertTrue(refused instanceof IllegalArgumentException || refused instanceof ServletException, refused.toString());
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
    }

    private void servletInit(Map<String, String> parameters) throws ServletException {
        new CachingProxyServlet(URI.create("http://127.0.0.1:9"), engine).init(new Config(parameters));
    }

    private static void filterInit(Map<String, String> parameters) throws ServletException {
        CachingFilter filter = new CachingFilter();
        try {
            filter.init(new Config(parameters));
        } finally {
            filter.destroy();
        }
    }

    /** Something that configures and may refuse. */
    @FunctionalInterface
    private interface Executable {
        void run() throws Exception;
    }

    /** The init-parameters a container would hand over, and nothing else: init fails before it needs more. */
    private record Config(Map<String, String> parameters) implements ServletConfig, FilterConfig {
        @Override
        public String getServletName() {
            return "cacheproxy";
        }

        @Override
        public String getFilterName() {
            return "cacheproxy";
        }

        @Override
        public ServletContext getServletContext() {
            throw new IllegalStateException("validation must fail before the context is needed");
        }

        @Override
        public String getInitParameter(String name) {
            return parameters.get(name);
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return Collections.enumeration(parameters.keySet());
        }
    }
}
