package dev.cacheproxy.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Keeps Ehcache's INFO lines (a cache created or removed, the off-heap tier allocated, a disk tier
 * recovered) out of the application's log: before a store opens tiers of its own, Ehcache's loggers are
 * set to WARN in the SLF4J backend in use, unless the application set a level for them itself (or they
 * would not log INFO anyway, under a root level of WARN or above). The same
 * precedent as Spring Boot's defaults for known-noisy libraries: a default level only where the user
 * said nothing. Backends: Logback, Log4j 2, java.util.logging ({@code slf4j-jdk14}), {@code slf4j-simple}
 * and Jetty's {@code jetty-slf4j-impl}; with any other nothing is changed. Each backend's types are
 * touched only by its own class, loaded only when that backend is the one bound.
 */
final class EhcacheLogLevels {

    /** The system property that, set to {@code false}, leaves Ehcache's levels as they are. */
    static final String QUIET_PROPERTY = "cacheproxy.ehcache.quietLogs";
    /** The loggers set to WARN: Ehcache's, and its off-heap store's (shaded under {@code org.ehcache} in Ehcache's jar). */
    static final List<String> LOGGERS = List.of("org.ehcache", "org.terracotta");
    /**
     * The loggers Ehcache 3.12 logs INFO lines from when a store opens and closes, for a backend that fixes
     * a logger's level when the logger is created and so cannot pass a parent's new level down.
     */
    static final List<String> INFO_LOGGERS = List.of(
            "org.ehcache.core.EhcacheManager",
            "org.ehcache.shadow.org.terracotta.offheapstore.paging.UpfrontAllocatingPageSource",
            "org.terracotta.offheapstore.paging.UpfrontAllocatingPageSource",
            "org.ehcache.impl.internal.store.disk.OffHeapDiskStore",
            "org.ehcache.impl.persistence.DefaultDiskResourceService");

    private EhcacheLogLevels() {
    }

    /** {@return whether stores quiet Ehcache unless told otherwise: {@value #QUIET_PROPERTY} is not {@code false}} */
    static boolean quietByDefault() {
        return !"false".equalsIgnoreCase(System.getProperty(QUIET_PROPERTY, "true").trim());
    }

    /** Sets Ehcache's loggers to WARN where the application has not set their level; safe to call on every open. */
    static void quietUnlessConfigured() {
        try {
            Bound.BACKEND.quietUnlessConfigured();
        } catch (RuntimeException | LinkageError otherVersionOrLoader) {
            // A backend of another version, or loaded by another class loader: Ehcache's lines are noise, a
            // store that does not open would be a fault.
            LoggerFactory.getLogger(EhcacheLogLevels.class).debug("Ehcache's log levels are left as they are", otherVersionOrLoader);
        }
    }

    /** The backend, chosen once, when a store first opens tiers of its own. */
    private static final class Bound {
        static final Backend BACKEND = Backend.of(LoggerFactory.getILoggerFactory());
    }

    /** Sets a level where the user set none, in one logging backend. */
    private interface Backend {

        void quietUnlessConfigured();

        static Backend of(ILoggerFactory factory) {
            return switch (factory.getClass().getName()) {
                case "ch.qos.logback.classic.LoggerContext" -> new Logback(factory);
                case "org.apache.logging.slf4j.Log4jLoggerFactory" -> new Log4j2();
                case "org.slf4j.jul.JDK14LoggerFactory" -> new JavaUtilLogging();
                case "org.slf4j.simple.SimpleLoggerFactory" -> new Simple();
                case "org.eclipse.jetty.logging.JettyLoggerFactory" -> new Jetty(factory);
                default -> () -> {
                };
            };
        }
    }

    /** Logback: a logger without a level of its own inherits; Spring Boot's {@code logging.level.*} sets one. */
    private static final class Logback implements Backend {
        private final ch.qos.logback.classic.LoggerContext context;

        Logback(ILoggerFactory factory) {
            this.context = (ch.qos.logback.classic.LoggerContext) factory;
        }

        @Override
        public void quietUnlessConfigured() {
            for (String name : LOGGERS) {
                ch.qos.logback.classic.Logger logger = context.getLogger(name);
                if (logger.getLevel() == null && logger.isInfoEnabled()) {
                    logger.setLevel(ch.qos.logback.classic.Level.WARN);
                }
            }
        }
    }

    /** Log4j 2: a level is configured for a name when the configuration has a logger config of that name. */
    private static final class Log4j2 implements Backend {
        @Override
        public void quietUnlessConfigured() {
            org.apache.logging.log4j.core.LoggerContext context = (org.apache.logging.log4j.core.LoggerContext)
                    org.apache.logging.log4j.LogManager.getContext(EhcacheLogLevels.class.getClassLoader(), false);
            org.apache.logging.log4j.core.config.Configuration configuration = context.getConfiguration();
            boolean added = false;
            for (String name : LOGGERS) {
                if (!configuration.getLoggers().containsKey(name) && context.getLogger(name).isInfoEnabled()) {
                    configuration.addLogger(name, new org.apache.logging.log4j.core.config.LoggerConfig(name,
                            org.apache.logging.log4j.Level.WARN, true));
                    added = true;
                }
            }
            if (added) {
                context.updateLoggers();
            }
        }
    }

    /** java.util.logging: a logger's own level is null unless configured; the JDK keeps loggers only weakly. */
    private static final class JavaUtilLogging implements Backend {
        private static final Set<java.util.logging.Logger> KEPT = ConcurrentHashMap.newKeySet();

        @Override
        public void quietUnlessConfigured() {
            for (String name : LOGGERS) {
                java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
                if (logger.getLevel() == null && logger.isLoggable(java.util.logging.Level.INFO)) {
                    logger.setLevel(java.util.logging.Level.WARNING);
                    KEPT.add(logger);
                }
            }
        }
    }

    /**
     * slf4j-simple reads a logger's level from system properties, then {@code simplelogger.properties}, when
     * the logger is created: the property is set before Ehcache's classes create theirs.
     */
    private static final class Simple implements Backend {
        private static final String PREFIX = "org.slf4j.simpleLogger.log.";
        private static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

        @Override
        public void quietUnlessConfigured() {
            Properties file = new Properties();
            try (InputStream in = ClassLoader.getSystemResourceAsStream("simplelogger.properties")) {
                if (in != null) {
                    file.load(in);
                }
            } catch (IOException unreadable) {
                // slf4j-simple ignores an unreadable file too.
            }
            String defaultLevel = System.getProperty(DEFAULT_LEVEL, file.getProperty(DEFAULT_LEVEL, "info")).trim().toLowerCase(Locale.ROOT);
            if (!List.of("trace", "debug", "info").contains(defaultLevel)) {
                return;
            }
            for (String name : LOGGERS) {
                if (System.getProperty(PREFIX + name) == null && file.getProperty(PREFIX + name) == null) {
                    System.setProperty(PREFIX + name, "warn");
                }
            }
        }
    }

    /**
     * Jetty's jetty-slf4j-impl gives a new logger the level its configuration ({@code jetty-logging.properties}
     * and system properties) names for it or its nearest parent: a parent's level set later does not reach it.
     * So each logger Ehcache logs INFO from is created here at WARN, unless the configuration names a level
     * for it or a parent up to {@code org.ehcache} or {@code org.terracotta}.
     */
    private static final class Jetty implements Backend {
        private final org.eclipse.jetty.logging.JettyLoggerFactory factory;

        Jetty(ILoggerFactory factory) {
            this.factory = (org.eclipse.jetty.logging.JettyLoggerFactory) factory;
        }

        @Override
        public void quietUnlessConfigured() {
            // Read as the factory read it when it started (it does not expose its own).
            org.eclipse.jetty.logging.JettyLoggerConfiguration configuration = new org.eclipse.jetty.logging.JettyLoggerConfiguration()
                    .load(org.eclipse.jetty.logging.JettyLoggerFactory.class.getClassLoader());
            for (String name : INFO_LOGGERS) {
                if (!configured(configuration, name)) {
                    org.eclipse.jetty.logging.JettyLogger logger = factory.getJettyLogger(name);
                    if (logger.isInfoEnabled()) {
                        logger.setLevel(org.eclipse.jetty.logging.JettyLevel.WARN);
                    }
                }
            }
        }

        private static boolean configured(org.eclipse.jetty.logging.JettyLoggerConfiguration configuration, String name) {
            for (String scope = name; ; scope = scope.substring(0, scope.lastIndexOf('.'))) {
                if (configuration.getString(scope + ".LEVEL", null) != null) {
                    return true;
                }
                if (LOGGERS.contains(scope) || scope.indexOf('.') < 0) {
                    return false;
                }
            }
        }
    }
}
