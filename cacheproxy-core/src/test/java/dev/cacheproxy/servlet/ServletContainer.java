package dev.cacheproxy.servlet;

import jakarta.servlet.ServletContainerInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real servlet container on 127.0.0.1 and a free port, set up through the portable
 * {@link jakarta.servlet.ServletContext} API only, so one test runs unchanged in each.
 */
interface ServletContainer extends AutoCloseable {

    /** The port it listens on. */
    int port();

    @Override
    void close();

    /** The containers the filter is tested in. */
    enum Kind {
        TOMCAT {
            @Override
            ServletContainer start(ServletContainerInitializer setup) throws Exception {
                return new InTomcat(setup);
            }
        },
        JETTY {
            @Override
            ServletContainer start(ServletContainerInitializer setup) throws Exception {
                return new InJetty(setup);
            }
        };

        /** Starts a container with one context at the root, set up by {@code setup}. */
        abstract ServletContainer start(ServletContainerInitializer setup) throws Exception;

        /** Every kind, or those the {@code cacheproxy.containers} system property names (e.g. {@code tomcat}). */
        static Stream<Kind> selected() {
            String names = System.getProperty("cacheproxy.containers", "tomcat,jetty").toUpperCase(Locale.ROOT);
            List<String> wanted = Arrays.stream(names.split(",")).map(String::strip).toList();
            return Arrays.stream(values()).filter(kind -> wanted.contains(kind.name()));
        }
    }

    /** Embedded Tomcat (11, or 10.1 in the second test run). */
    final class InTomcat implements ServletContainer {
        private final Tomcat tomcat = new Tomcat();
        private final Path baseDir;

        InTomcat(ServletContainerInitializer setup) throws Exception {
            baseDir = Files.createTempDirectory("cacheproxy-tomcat");
            tomcat.setBaseDir(baseDir.toString());
            Connector connector = new Connector();
            connector.setPort(0);
            connector.setProperty("address", "127.0.0.1");
            tomcat.setConnector(connector);
            Context context = tomcat.addContext("", null);
            context.addServletContainerInitializer(setup, null);
            tomcat.start();
        }

        @Override
        public int port() {
            return tomcat.getConnector().getLocalPort();
        }

        @Override
        public void close() {
            try {
                tomcat.stop();
                tomcat.destroy();
                try (Stream<Path> files = Files.walk(baseDir)) {
                    files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
                }
            } catch (Exception stopFailure) {
                throw new IllegalStateException("Tomcat did not stop cleanly", stopFailure);
            }
        }
    }

    /** Embedded Jetty 12 with an ee10 servlet context that has sessions. */
    final class InJetty implements ServletContainer {
        private final Server server = new Server();

        InJetty(ServletContainerInitializer setup) throws Exception {
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.SESSIONS);
            context.addServletContainerInitializer(setup);
            server.setHandler(context);
            server.start();
        }

        @Override
        public int port() {
            return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        }

        @Override
        public void close() {
            try {
                server.stop();
            } catch (Exception stopFailure) {
                throw new IllegalStateException("Jetty did not stop cleanly", stopFailure);
            }
        }
    }
}
