package dev.cacheproxy.spring.boot;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

/**
 * What differs between the Spring Boot lines the shared tests run on: the packages of a few types, and
 * the Jetty and Tomcat versions each line manages.
 */
final class BootLine {

    /** Spring Security's auto-configurations on this line, left out by the tests that run without it. */
    static final String WITHOUT_SECURITY = "spring.autoconfigure.exclude=org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
                    + "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration,"
                    + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
                    + "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration,"
                    + "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration";
    /** The start of the Jetty version this line manages. */
    static final String JETTY_VERSION = "12.1.";
    /** The start of the Tomcat version this line manages. */
    static final String TOMCAT_VERSION = "11.";
    static final Class<?> JETTY_WEB_SERVER = JettyWebServer.class;
    static final Class<?> TOMCAT_WEB_SERVER = TomcatWebServer.class;

    private BootLine() {
    }

    /** The application's web server. */
    static Object webServer(ApplicationContext context) {
        return ((ServletWebServerApplicationContext) context).getWebServer();
    }

    /** Requests for any Actuator endpoint. */
    static RequestMatcher anyEndpoint() {
        return EndpointRequest.toAnyEndpoint();
    }

    /** Jetty as the web server. */
    @TestConfiguration(proxyBeanMethods = false)
    static class OnJetty {

        @Bean
        JettyServletWebServerFactory jetty() {
            return new JettyServletWebServerFactory();
        }
    }

    /** Tomcat, Boot's default, which Boot 4 passes over for Jetty when both are on the class path, as in these tests. */
    @TestConfiguration(proxyBeanMethods = false)
    static class OnTomcat {

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }
    }
}
