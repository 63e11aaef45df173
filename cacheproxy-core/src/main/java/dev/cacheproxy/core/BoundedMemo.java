package dev.cacheproxy.core;

import java.util.Objects;
import java.util.function.Function;

/**
 * Remembers what a pure function gave for recent inputs, in a fixed number of slots, so that values
 * that repeat hit after hit (a stored response's {@code Date} and {@code Cache-Control}, a client's
 * {@code Accept-Encoding}, a popular URL, a stored field in Jetty's form) are worked out once.
 *
 * <p>Direct-mapped: each input has one slot, chosen by its hash; a new input takes the slot of the one
 * it collides with. So it never holds more than its capacity, never starts over as a whole, and a
 * lookup is one array read and one {@code equals}, with no lock and no allocation. A slot read while
 * another thread writes it gives the old entry, the new one or none: each is either a right answer or
 * a miss, and a miss only costs calling the function again. Thread safe.
 *
 * <p>For cacheproxy's own modules (the engine's rules and the Jetty adapter); not an extension point.
 *
 * @param <K> the input; its {@code equals} and {@code hashCode} must be consistent and cheap
 * @param <V> what the function gives for it
 */
public final class BoundedMemo<K, V> {

    /** One remembered input and its value; final fields, so a slot read without a lock sees it whole. */
    private record Entry<K, V>(K input, V value) {
    }

    private final Entry<K, V>[] slots;
    private final int mask;
    private final Function<K, V> function;

    /**
     * A memo of {@code function} with this many slots.
     *
     * @param capacity the number of slots, rounded up to a power of two; between 1 and 2<sup>20</sup>
     * @param function the pure function remembered; it must not return {@code null}
     */
    @SuppressWarnings("unchecked")
    public BoundedMemo(int capacity, Function<K, V> function) {
        if (capacity < 1 || capacity > 1 << 20) {
            throw new IllegalArgumentException("a memo holds between 1 and 2^20 entries, got " + capacity);
        }
        int size = Integer.highestOneBit(capacity - 1 == 0 ? 1 : (capacity - 1) << 1);
        this.slots = (Entry<K, V>[]) new Entry<?, ?>[size];
        this.mask = size - 1;
        this.function = Objects.requireNonNull(function, "function");
    }

    /**
     * What the function gives for this input: remembered, or worked out now and remembered.
     *
     * @param input the function's input
     * @return its result
     */
    public V apply(K input) {
        int slot = spread(input.hashCode()) & mask;
        Entry<K, V> entry = slots[slot];
        if (entry != null && entry.input().equals(input)) {
            return entry.value();
        }
        V value = Objects.requireNonNull(function.apply(input), "the memoised function returned null");
        slots[slot] = new Entry<>(input, value);
        return value;
    }

    /** {@return the number of slots: the most inputs it remembers at once} */
    public int capacity() {
        return slots.length;
    }

    /** Mixes the high bits into the low ones, which choose the slot (as {@code HashMap} does). */
    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
