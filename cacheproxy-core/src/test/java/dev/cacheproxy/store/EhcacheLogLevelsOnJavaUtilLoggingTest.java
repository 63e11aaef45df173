package dev.cacheproxy.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/** Ehcache's levels under java.util.logging (slf4j-jdk14); run by the Surefire execution that binds it. */
final class EhcacheLogLevelsOnJavaUtilLoggingTest extends EhcacheLogLevelsContract {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler captured = new Handler() {
        @Override
        public void publish(LogRecord logRecord) {
            records.add(logRecord);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    /** JUL holds loggers weakly: the level a test sets must outlive a collection. */
    private Logger ehcache;

    @Override
    boolean bound() {
        return LoggerFactory.getILoggerFactory().getClass().getName().equals("org.slf4j.jul.JDK14LoggerFactory");
    }

    @Override
    void resetLevels() {
        EhcacheLogLevels.LOGGERS.forEach(name -> Logger.getLogger(name).setLevel(null));
    }

    @Override
    void userSetsEhcacheToInfo() {
        ehcache = Logger.getLogger("org.ehcache");
        ehcache.setLevel(Level.INFO);
    }

    @Override
    void startCapture() {
        Logger.getLogger("").addHandler(captured);
    }

    @Override
    List<String> ehcacheInfoLines() {
        return records.stream()
                .filter(logRecord -> logRecord.getLevel() == Level.INFO)
                .filter(logRecord -> logRecord.getLoggerName().startsWith("org.ehcache") || logRecord.getLoggerName().startsWith("org.terracotta"))
                .map(LogRecord::getMessage)
                .toList();
    }

    @Override
    void stopCapture() {
        Logger.getLogger("").removeHandler(captured);
    }
}
