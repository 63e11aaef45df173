package dev.cacheproxy.store;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The heap tier's doorkeeper (as in TinyLFU): remembers which keys were read from the tiers behind
 * recently, so that a key enters the heap tier on its second read within a window and a key read once
 * never does.
 *
 * <p>Why: every value the heap tier takes in lives through young collections until it is evicted again.
 * When the working set is larger than the tier and read evenly (a million objects at random), taking in
 * every value read fills each young collection with entries that are about to be evicted anyway; the
 * pauses grew to 20 ms at 50,000 reads a second (G1 scans every old card an insertion or eviction wrote
 * to). A key read twice within the window (the last thousand reads from the tiers behind) is what the
 * tier is for; the others stay where they are.
 *
 * <p>One bit per key hash, cleared after {@link #WINDOW} keys were marked: fewer than one key in a hundred
 * is let in on its first read by a shared bit, which only lets it in early. Thread safe; races between a mark
 * and a clear lose at most a mark.
 */
final class RecentReads {

    /** Bits of key hashes; 2^17 bits (16 KiB) keep shared bits below 1 % after {@link #WINDOW} marks. */
    private static final int BITS = 1 << 17;
    /**
     * Keys marked before the bits are cleared: how recent "recently read" is. At 50,000 reads a second
     * from the tiers behind, a key read 5 times a second gets in within about two seconds, and of an even
     * working set of 100,000 keys about 2 % of reads take a key in (7 % with a window of 4,096).
     */
    static final int WINDOW = 1024;

    private final AtomicLongArray bits = new AtomicLongArray(BITS / Long.SIZE);
    private final AtomicInteger marks = new AtomicInteger();

    /** An empty doorkeeper. */
    RecentReads() {
    }

    /** Notes a read of this key; true when it was read before within the window (or shares its bit with a key that was). */
    boolean readBefore(String key) {
        int hash = key.hashCode() * 0x9E3779B9;
        int bit = (hash ^ (hash >>> 15)) & (BITS - 1);
        int word = bit >>> 6;
        long mask = 1L << bit;
        long before = bits.get(word);
        if ((before & mask) != 0) {
            return true;
        }
        long value = before;
        while (!bits.weakCompareAndSetVolatile(word, value, value | mask)) {
            value = bits.get(word);
            if ((value & mask) != 0) {
                return true;
            }
        }
        if (marks.incrementAndGet() >= WINDOW) {
            clear();
        }
        return false;
    }

    private void clear() {
        marks.set(0);
        for (int word = 0; word < bits.length(); word++) {
            bits.set(word, 0);
        }
    }
}
