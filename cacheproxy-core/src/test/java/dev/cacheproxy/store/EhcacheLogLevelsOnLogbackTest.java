package dev.cacheproxy.store;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Ehcache's levels under Logback (Spring Boot's default); run by the Surefire execution that binds it. */
final class EhcacheLogLevelsOnLogbackTest extends EhcacheLogLevelsContract {

    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

    @Override
    boolean bound() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext;
    }

    private static Logger logger(String name) {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(name);
    }

    @Override
    void resetLevels() {
        EhcacheLogLevels.LOGGERS.forEach(name -> logger(name).setLevel(null));
    }

    @Override
    void userSetsEhcacheToInfo() {
        logger("org.ehcache").setLevel(Level.INFO);
    }

    @Override
    void startCapture() {
        captured.start();
        logger(Logger.ROOT_LOGGER_NAME).addAppender(captured);
    }

    @Override
    List<String> ehcacheInfoLines() {
        return captured.list.stream()
                .filter(event -> event.getLevel() == Level.INFO)
                .filter(event -> event.getLoggerName().startsWith("org.ehcache") || event.getLoggerName().startsWith("org.terracotta"))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Override
    void stopCapture() {
        logger(Logger.ROOT_LOGGER_NAME).detachAppender(captured);
    }
}
