package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every SLF4J backend that {@link EhcacheLogLevels} knows must show: a store that opens its own tiers
 * (off heap, then a disk tier closed and opened again) leaves no INFO line of Ehcache's in the log,
 * unless the user set Ehcache's level or turned the switch off. Each backend's test runs in a Surefire
 * execution with that backend bound, and is skipped under the others.
 */
abstract class EhcacheLogLevelsContract {

    @TempDir
    Path directory;

    /** {@return whether this backend is the one SLF4J bound} */
    abstract boolean bound();

    /** Puts Ehcache's loggers back as an application that configured nothing would have them. */
    abstract void resetLevels();

    /** Sets a level on {@code org.ehcache} as a user's logging configuration would. */
    abstract void userSetsEhcacheToInfo();

    /** Starts capturing what the backend logs. */
    abstract void startCapture();

    /** {@return the messages logged at INFO by Ehcache's loggers ({@code org.ehcache*}, {@code org.terracotta*}) since the capture started} */
    abstract List<String> ehcacheInfoLines();

    /** Stops capturing. */
    abstract void stopCapture();

    @BeforeEach
    void captureFromAnApplicationThatConfiguredNothing() {
        org.junit.jupiter.api.Assumptions.assumeTrue(bound(), "another SLF4J backend is bound in this run");
        resetLevels();
        startCapture();
    }

    @AfterEach
    void stopCapturing() {
        if (bound()) {
            stopCapture();
            resetLevels();
            System.clearProperty(EhcacheLogLevels.QUIET_PROPERTY);
        }
    }

    @Test
    void openingTheDefaultStoreAndReopeningItsDiskTierLogsNothingFromEhcacheAtInfo() {
        openAndCloseTwice(EhcacheStore.builder());

        assertEquals(List.of(), ehcacheInfoLines());
    }

    @Test
    void aLevelTheUserSetForEhcacheIsKept() {
        userSetsEhcacheToInfo();

        openAndCloseTwice(EhcacheStore.builder());

        assertCreatedLineLogged();
    }

    @Test
    void theBuilderSwitchKeepsEhcachesInfoLines() {
        openAndCloseTwice(EhcacheStore.builder().quietEhcacheLogs(false));

        assertCreatedLineLogged();
    }

    @Test
    void theSystemPropertyKeepsEhcachesInfoLines() {
        System.setProperty(EhcacheLogLevels.QUIET_PROPERTY, "false");

        openAndCloseTwice(EhcacheStore.builder());

        assertCreatedLineLogged();
    }

    private void assertCreatedLineLogged() {
        List<String> lines = ehcacheInfoLines();
        assertTrue(lines.stream().anyMatch(line -> line.contains("Cache 'cacheproxy' created")), () -> "Ehcache's INFO lines: " + lines);
    }

    private void openAndCloseTwice(EhcacheStore.Builder builder) {
        builder.offHeapSize(1024 * 1024).persistentDirectory(directory).diskSize(4 * 1024 * 1024);
        builder.build().close();
        // The second opening finds the disk tier the first left, as after a restart.
        builder.build().close();
    }
}
