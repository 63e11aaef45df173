package dev.cacheproxy.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of Ehcache's persistent disk tier in a directory, checked before the tier opens and
 * reserved once it has.
 *
 * <p>Ehcache keeps the tier in one data file per cache that it extends as it needs room (leaving
 * holes), maps in part and writes in the background. On a file system that fills up, a write to a hole
 * cannot be backed: a mapped write faults ({@code InternalError: a fault occurred in a recent unsafe memory access
 * operation}, thrown at an arbitrary later point of the thread), or the background write is given up
 * and the entry is lost while the put looked successful. So the whole file is given its blocks when
 * the store opens, as Varnish's file storage does: a disk that is full later cannot take them away,
 * and a disk too small for the tier is refused at start with the numbers.
 */
final class DiskTierFiles {

    private static final Logger LOG = LoggerFactory.getLogger(DiskTierFiles.class);
    /** Ehcache's name for the data file of a disk tier, under {@code file/<cache>/offheap-disk-store/}. */
    static final String DATA_FILE = "ehcache-disk-store.data";
    static final String INDEX_FILE = "ehcache-disk-store.index";
    /** Ehcache writes this on a clean close and deletes it on open; without it the tier is discarded. */
    private static final String CLEAN_MARKER = ".clean";
    private static final int DEFAULT_BLOCK_SIZE = 4096;

    private final Path directory;
    private final long bytes;

    DiskTierFiles(Path directory, long bytes) {
        this.directory = directory;
        this.bytes = bytes;
    }

    /**
     * Prepares the directory for Ehcache: says when the last store was not closed (Ehcache then starts
     * the tier empty), and makes Ehcache start afresh a tier whose data file has another length than
     * the reserved tier's (truncated, the size changed, or never reserved), which it would otherwise
     * read and map past its end. Each case is logged at WARN with the number of entries lost, as the
     * last store counted them ({@link DiskTierLedger}).
     *
     * @return the entries the tier is known to have held when it is started empty, else 0
     */
    long checkBeforeOpening() {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        List<Path> dataFiles = dataFiles();
        if (!dataFiles.isEmpty() && !Files.exists(directory.resolve(CLEAN_MARKER))) {
            // Ehcache keeps a disk tier's index only from a clean close: without it the data cannot be read back.
            LOG.warn("the cache directory {} was not closed cleanly (a crash or kill -9): Ehcache drops its disk tier, "
                    + "so {} are lost (counted as corrupt entries, never served) and the tier starts empty",
                    directory.toAbsolutePath(), lostEntries());
            return lastCount();
        }
        long lost = 0;
        for (Path data : dataFiles) {
            try {
                long length = Files.size(data);
                if (length != bytes) {
                    // Without its index Ehcache creates the tier anew instead of recovering it.
                    Files.deleteIfExists(data.resolveSibling(INDEX_FILE));
                    LOG.warn("the disk tier file {} holds {} bytes where the tier has {} (truncated, resized, or never reserved): "
                            + "{} are dropped (counted as corrupt entries) and the tier starts empty", data.toAbsolutePath(), length,
                            bytes, lostEntries());
                    lost = lastCount();
                }
            } catch (IOException unreadable) {
                LOG.warn("cannot check the disk tier file {} ({}); Ehcache will try to recover it", data.toAbsolutePath(),
                        unreadable.toString());
            }
        }
        return lost;
    }

    /** What the last store counted in the tier, for a WARN: "12 entries", or "its entries (how many is not known)". */
    String lostEntries() {
        OptionalLong count = DiskTierLedger.lastCount(directory);
        return count.isPresent() ? count.getAsLong() + " entries (as the last store counted them)"
                : "its entries (how many is not known: no count was left by the last store)";
    }

    /** What the last store counted in the tier; 0 when it left no count. */
    long lastCount() {
        return DiskTierLedger.lastCount(directory).orElse(0);
    }

    /**
     * Gives every block of the open tier's data files its space on disk, without changing a byte: each
     * block's first byte is read and written back. Writing into an allocated block never needs more
     * space, so the tier cannot fault when the file system fills up later.
     *
     * @throws IllegalStateException naming the directory and the numbers when the file system cannot hold the tier
     */
    void reserve() {
        List<Path> dataFiles = dataFiles();
        if (dataFiles.isEmpty()) {
            LOG.warn("found no disk tier file in {} to reserve its space: a disk that fills up may fault the tier",
                    directory.toAbsolutePath());
            return;
        }
        for (Path data : dataFiles) {
            reserve(data);
        }
    }

    private void reserve(Path data) {
        int blockSize = blockSize(data);
        ByteBuffer oneByte = ByteBuffer.allocate(1);
        long position = 0;
        try (FileChannel file = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Ehcache grows the file as it needs regions, leaving holes: the whole tier is given its blocks now,
            // so that the file never grows again (Ehcache extends it only past its end) and no hole is left.
            for (; position < bytes; position += blockSize) {
                oneByte.clear();
                byte value = file.read(oneByte, position) > 0 ? oneByte.get(0) : 0;
                oneByte.clear();
                oneByte.put(0, value);
                file.write(oneByte, position);
            }
            // The last block may be partial: the file ends exactly where the tier does.
            oneByte.clear();
            byte last = file.read(oneByte, bytes - 1) > 0 ? oneByte.get(0) : 0;
            oneByte.clear();
            oneByte.put(0, last);
            file.write(oneByte, bytes - 1);
        } catch (IOException cannotReserve) {
            long free = usableSpace();
            throw new IllegalStateException("the disk tier of " + bytes + " bytes does not fit in " + directory.toAbsolutePath()
                    + ": " + position + " bytes of it were reserved when the file system refused more (" + cannotReserve.getMessage()
                    + "; " + free + " bytes free now). Give it a smaller disk size or more space", cannotReserve);
        }
    }

    private long usableSpace() {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException cannotTell) {
            return 0;
        }
    }

    private List<Path> dataFiles() {
        try (Stream<Path> files = Files.walk(directory, 5)) {
            return files.filter(path -> path.getFileName().toString().equals(DATA_FILE) && Files.isRegularFile(path)).toList();
        } catch (IOException | java.io.UncheckedIOException unreadable) {
            return List.of();
        }
    }

    private static int blockSize(Path file) {
        try {
            long size = Files.getFileStore(file).getBlockSize();
            return size > 0 && size <= 1 << 20 ? (int) size : DEFAULT_BLOCK_SIZE;
        } catch (IOException | UnsupportedOperationException unknown) {
            return DEFAULT_BLOCK_SIZE;
        }
    }
}
