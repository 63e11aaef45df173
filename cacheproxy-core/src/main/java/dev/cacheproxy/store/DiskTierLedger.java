package dev.cacheproxy.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many entries a persistent disk tier holds, written to a small file beside it now and then, so
 * that a store opening after a crash can say how many it lost. Ehcache writes the index of a disk tier
 * only when it is closed; after a {@code kill -9} it has none, and starts the tier empty without saying
 * what was in it. The count is as of the last write: at most {@link #INTERVAL} old, or off by the
 * entries changed since (a write is also made when the count has moved by a tenth).
 *
 * <p>Thread safe; a write that fails (a full disk) is skipped quietly and tried again later.
 */
final class DiskTierLedger {

    /** The file in the store's directory. */
    static final String FILE = "cacheproxy-entries";
    /** The longest a change of the count waits before it is written. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(DiskTierLedger.class);

    private final Path file;
    private final LongSupplier nanoTime;
    private final ReentrantLock writing = new ReentrantLock();
    private volatile long nextWriteNanos;
    private volatile long written = -1;

    DiskTierLedger(Path directory) {
        this(directory, System::nanoTime);
    }

    /** A ledger that reads the time from {@code nanoTime}, for tests. */
    DiskTierLedger(Path directory, LongSupplier nanoTime) {
        this.file = directory.resolve(FILE);
        this.nanoTime = nanoTime;
        this.nextWriteNanos = nanoTime.getAsLong();
    }

    /** The count last written in this directory, if a ledger was written there and can be read. */
    static OptionalLong lastCount(Path directory) {
        try {
            String text = Files.readString(directory.resolve(FILE), StandardCharsets.US_ASCII).strip();
            long count = Long.parseLong(text);
            return count >= 0 ? OptionalLong.of(count) : OptionalLong.empty();
        } catch (IOException | NumberFormatException absentOrDamaged) {
            return OptionalLong.empty();
        }
    }

    /** The tier now holds this many entries: written when the last write is old enough or far enough off. */
    void count(long entries) {
        long last = written;
        if (entries == last) {
            return;
        }
        boolean due = last < 0 || nanoTime.getAsLong() - nextWriteNanos >= 0 || Math.abs(entries - last) * 10 >= Math.max(last, 10);
        // One writer at a time; the others go on: the count they saw is written by the next due change.
        if (due && writing.tryLock()) {
            try {
                writeNow(entries);
            } finally {
                writing.unlock();
            }
        }
    }

    /** Writes the count now, e.g. when the store opens or closes. */
    void write(long entries) {
        writing.lock();
        try {
            writeNow(entries);
        } finally {
            writing.unlock();
        }
    }

    private void writeNow(long entries) {
        Path partial = file.resolveSibling(FILE + ".partial");
        try {
            Files.writeString(partial, Long.toString(Math.max(0, entries)) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            }
            written = entries;
            nextWriteNanos = nanoTime.getAsLong() + INTERVAL.toNanos();
        } catch (IOException cannotWrite) {
            // A full disk: the count is written again with the next change once there is room.
            LOG.debug("cannot write the disk tier's entry count to {}: {}", file, cannotWrite.toString());
        }
    }
}
