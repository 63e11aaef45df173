package dev.cacheproxy.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.slf4j.LoggerFactory;

/** Ehcache's levels under Log4j 2 (log4j-slf4j2-impl); run by the Surefire execution that binds it. */
final class EhcacheLogLevelsOnLog4j2Test extends EhcacheLogLevelsContract {

    private final List<LogEvent> events = new CopyOnWriteArrayList<>();
    private final AbstractAppender captured = new AbstractAppender("captured", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
            events.add(event.toImmutable());
        }
    };

    @Override
    boolean bound() {
        return LoggerFactory.getILoggerFactory().getClass().getName().equals("org.apache.logging.slf4j.Log4jLoggerFactory");
    }

    private static LoggerContext context() {
        return (LoggerContext) LogManager.getContext(EhcacheLogLevels.class.getClassLoader(), false);
    }

    @Override
    void resetLevels() {
        // Log4j's default configuration logs ERROR and above; an application that wants INFO configures its root so.
        Configuration configuration = context().getConfiguration();
        EhcacheLogLevels.LOGGERS.forEach(configuration::removeLogger);
        Configurator.setRootLevel(Level.INFO);
        context().updateLoggers();
    }

    @Override
    void userSetsEhcacheToInfo() {
        Configurator.setLevel("org.ehcache", Level.INFO);
    }

    @Override
    void startCapture() {
        captured.start();
        context().getConfiguration().getRootLogger().addAppender(captured, null, null);
        context().updateLoggers();
    }

    @Override
    List<String> ehcacheInfoLines() {
        return events.stream()
                .filter(event -> event.getLevel() == Level.INFO)
                .filter(event -> event.getLoggerName().startsWith("org.ehcache") || event.getLoggerName().startsWith("org.terracotta"))
                .map(event -> event.getMessage().getFormattedMessage())
                .toList();
    }

    @Override
    void stopCapture() {
        context().getConfiguration().getRootLogger().removeAppender("captured");
        context().updateLoggers();
        captured.stop();
    }
}
