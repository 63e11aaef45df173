package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Ehcache's levels under slf4j-simple, run by the Surefire execution that binds it. slf4j-simple fixes a
 * logger's level when the logger is created, once per JVM, so these tests do not share
 * {@link EhcacheLogLevelsContract}'s resets, and the store opens first, before anything set a property.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class EhcacheLogLevelsOnSlf4jSimpleTest {

    @TempDir
    Path directory;

    private static boolean bound() {
        return LoggerFactory.getILoggerFactory().getClass().getName().equals("org.slf4j.simple.SimpleLoggerFactory");
    }

    @Test
    @Order(1)
    void openingTheDefaultStoreAndReopeningItsDiskTierLogsNothingFromEhcacheAtInfo() {
        assumeTrue(bound(), "another SLF4J backend is bound in this run");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream before = System.err;
        // slf4j-simple writes to whatever System.err is at the time.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EhcacheStore.Builder builder = EhcacheStore.builder().offHeapSize(1024 * 1024).persistentDirectory(directory)
                    .diskSize(4 * 1024 * 1024);
            builder.build().close();
            builder.build().close();
        } finally {
            System.setErr(before);
        }

        List<String> ehcacheInfoLines = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains(" INFO org.ehcache") || line.contains(" INFO org.terracotta"))
                .toList();
        assertEquals(List.of(), ehcacheInfoLines);
    }

    @Test
    @Order(2)
    void aLevelTheUserSetForEhcacheIsKept() {
        assumeTrue(bound(), "another SLF4J backend is bound in this run");
        System.setProperty("org.slf4j.simpleLogger.log.org.terracotta", "debug");

        EhcacheLogLevels.quietUnlessConfigured();

        assertEquals("debug", System.getProperty("org.slf4j.simpleLogger.log.org.terracotta"));
        assertEquals("warn", System.getProperty("org.slf4j.simpleLogger.log.org.ehcache"));
    }
}
