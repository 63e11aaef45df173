package dev.cacheproxy.store;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.logging.JettyLevel;
import org.eclipse.jetty.logging.JettyLoggerFactory;
import org.eclipse.jetty.logging.StdErrAppender;
import org.slf4j.LoggerFactory;

/** Ehcache's levels under Jetty's jetty-slf4j-impl, the backend of this module's tests. */
final class EhcacheLogLevelsOnJettyTest extends EhcacheLogLevelsContract {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream before;

    @Override
    boolean bound() {
        return LoggerFactory.getILoggerFactory().getClass().getName().equals("org.eclipse.jetty.logging.JettyLoggerFactory");
    }

    private static JettyLoggerFactory factory() {
        return (JettyLoggerFactory) LoggerFactory.getILoggerFactory();
    }

    @Override
    void resetLevels() {
        for (String name : EhcacheLogLevels.INFO_LOGGERS) {
            factory().getJettyLogger(name).setLevel(JettyLevel.INFO);
        }
    }

    @Override
    void userSetsEhcacheToInfo() {
        // Jetty reads levels from jetty-logging.properties and system properties once: as a user would set it.
        System.setProperty("org.ehcache.LEVEL", "INFO");
    }

    @Override
    void startCapture() {
        StdErrAppender appender = (StdErrAppender) factory().getJettyLogger("ROOT").getAppender();
        before = appender.getStream();
        appender.setStream(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @Override
    List<String> ehcacheInfoLines() {
        // Jetty condenses logger names; nothing but Ehcache logs at INFO while a store opens and closes.
        return captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(":INFO")).toList();
    }

    @Override
    void stopCapture() {
        ((StdErrAppender) factory().getJettyLogger("ROOT").getAppender()).setStream(before);
        System.clearProperty("org.ehcache.LEVEL");
    }
}
