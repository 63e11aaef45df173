package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry count a disk tier leaves for the next start: written now and then, read back whole or not at all. */
final class DiskTierLedgerTest {

    @TempDir
    Path directory;

    private final AtomicLong nanos = new AtomicLong(1_000);

    @Test
    void theFirstCountIsWrittenAtOnceAndReadBack() {
        DiskTierLedger ledger = new DiskTierLedger(directory, nanos::get);
        assertEquals(OptionalLong.empty(), DiskTierLedger.lastCount(directory), "nothing written yet");

        ledger.count(3);

        assertEquals(OptionalLong.of(3), DiskTierLedger.lastCount(directory));
    }

    @Test
    void smallChangesWaitForTheIntervalAndLargeOnesAreWrittenAtOnce() {
        DiskTierLedger ledger = new DiskTierLedger(directory, nanos::get);
        ledger.write(1_000);

        ledger.count(1_050);
        assertEquals(OptionalLong.of(1_000), DiskTierLedger.lastCount(directory), "a change of 5% waits");

        nanos.addAndGet(DiskTierLedger.INTERVAL.toNanos());
        ledger.count(1_060);
        assertEquals(OptionalLong.of(1_060), DiskTierLedger.lastCount(directory), "written once the interval has passed");

        ledger.count(1_300);
        assertEquals(OptionalLong.of(1_300), DiskTierLedger.lastCount(directory), "a change of a tenth or more is written at once");

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        ledger.count(1_301);
        assertEquals(OptionalLong.of(1_300), DiskTierLedger.lastCount(directory));
    }

    @Test
    void aDamagedOrNegativeCountReadsAsUnknown() throws IOException {
        Files.writeString(directory.resolve(DiskTierLedger.FILE), "12x\n");
        assertEquals(OptionalLong.empty(), DiskTierLedger.lastCount(directory));
        Files.writeString(directory.resolve(DiskTierLedger.FILE), "-4\n");
        assertEquals(OptionalLong.empty(), DiskTierLedger.lastCount(directory));
    }
}
