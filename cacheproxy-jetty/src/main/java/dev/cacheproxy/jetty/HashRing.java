package dev.cacheproxy.jetty;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.zip.CRC32C;

/**
 * A consistent-hash ring over a pool's backends (ketama's construction: 160 points per unit of weight,
 * each the hash of the backend's URI and a number). A key goes to the first backend clockwise from its
 * hash that may take it, so a backend that leaves hands its keys to its neighbours and takes them back
 * when it returns; the others keep theirs. Immutable.
 */
final class HashRing {

    static final int POINTS_PER_WEIGHT = 160;

    private final int[] points;
    private final int[] owners;

    HashRing(List<Backend> backends) {
        int total = backends.stream().mapToInt(backend -> backend.weight * POINTS_PER_WEIGHT).sum();
        long[] entries = new long[total];
        int n = 0;
        for (int index = 0; index < backends.size(); index++) {
            Backend backend = backends.get(index);
            for (int point = 0; point < backend.weight * POINTS_PER_WEIGHT; point++) {
                // Position (signed, so that the sort orders it) in the high 32 bits, owner in the low ones.
                entries[n++] = ((long) position(backend.uri + "-" + point) << 32) | index;
            }
        }
        Arrays.sort(entries);
        this.points = new int[total];
        this.owners = new int[total];
        for (int i = 0; i < total; i++) {
            points[i] = (int) (entries[i] >> 32);
            owners[i] = (int) (entries[i] & 0xFFFF_FFFFL);
        }
    }

    /** The index of the backend for this key: the first clockwise that {@code eligible} accepts, or -1 if none does. */
    int owner(String key, IntPredicate eligible) {
        if (points.length == 0) {
            return -1;
        }
        int start = Arrays.binarySearch(points, position(key));
        if (start < 0) {
            start = -start - 1;
        }
        for (int step = 0; step < points.length; step++) {
            int owner = owners[(start + step) % points.length];
            if (eligible.test(owner)) {
                return owner;
            }
        }
        return -1;
    }

    /** A 32-bit position on the ring: CRC-32C of the UTF-8 bytes, mixed so that similar keys spread. */
    static int position(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        int h = (int) crc.getValue();
        // MurmurHash3's finalizer: CRC alone keeps neighbouring keys near each other on the ring.
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
