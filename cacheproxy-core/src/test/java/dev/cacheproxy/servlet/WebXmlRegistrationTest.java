package dev.cacheproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The filter registered by a web.xml as the README shows it, in a Tomcat that reads that web.xml. */
final class WebXmlRegistrationTest {

    private static final String WEB_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
              <filter>
                <filter-name>cacheproxy</filter-name>
                <filter-class>dev.cacheproxy.servlet.CachingFilter</filter-class>
                <async-supported>true</async-supported>
                <init-param><param-name>cache-name</param-name><param-value>edge</param-value></init-param>
                <init-param><param-name>max-object-size</param-name><param-value>1048576</param-value></init-param>
                <init-param><param-name>policy-class</param-name><param-value>dev.cacheproxy.servlet.NoApiPolicy</param-value></init-param>
              </filter>
              <filter-mapping>
                <filter-name>cacheproxy</filter-name>
                <url-pattern>/*</url-pattern>
              </filter-mapping>
              <servlet>
                <servlet-name>pages</servlet-name>
                <servlet-class>dev.cacheproxy.servlet.PageServlet</servlet-class>
              </servlet>
              <servlet-mapping>
                <servlet-name>pages</servlet-name>
                <url-pattern>/*</url-pattern>
              </servlet-mapping>
            </web-app>
            """;

    private final Tomcat tomcat = new Tomcat();
    private Path baseDir;

    @AfterEach
    void stopTomcat() throws Exception {
        tomcat.stop();
        tomcat.destroy();
        try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void theReadmesWebXmlPutsTheCacheInFrontOfTheServletWithItsInitParams() throws Exception {
        baseDir = Files.createTempDirectory("cacheproxy-webxml");
        Path webApp = Files.createDirectories(baseDir.resolve("app/WEB-INF")).getParent();
        Files.writeString(webApp.resolve("WEB-INF/web.xml"), WEB_XML);
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", webApp.toString());
        ContextConfig config = new ContextConfig();
        config.setDefaultWebXml(Constants.NoDefaultWebXml);
        context.addLifecycleListener(config);
        tomcat.start();

        HttpResponse<String> miss = get("/cached/page");
        HttpResponse<String> hit = get("/cached/page");
        get("/cached/api/data");
        HttpResponse<String> apiAgain = get("/cached/api/data");

        assertEquals("page #1 for /cached/page", miss.body());
        assertEquals("page #1 for /cached/page", hit.body());
        assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().startsWith("edge; hit"), "cache-name from the web.xml");
        assertEquals("page #3 for /cached/api/data", apiAgain.body(), "policy-class from the web.xml keeps /api out");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
