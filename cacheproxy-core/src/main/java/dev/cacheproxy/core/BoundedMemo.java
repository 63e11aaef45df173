package dev.cacheproxy.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Remembers what a pure function gave for recent inputs, so that a stored response's header values
 * (its {@code Date}, its {@code Cache-Control}) are parsed once rather than on every hit. Bounded
 * crudely: when full it starts over, which costs a few parses and never a wrong answer. Thread safe.
 */
final class BoundedMemo<K, V> {

    private final Map<K, V> remembered = new ConcurrentHashMap<>();
    private final Function<K, V> function;
    private final int capacity;

    BoundedMemo(int capacity, Function<K, V> function) {
        this.capacity = capacity;
        this.function = function;
    }

    V apply(K input) {
        V value = remembered.get(input);
        if (value == null) {
            value = function.apply(input);
            if (remembered.size() >= capacity) {
                remembered.clear();
            }
            remembered.put(input, value);
        }
        return value;
    }
}
