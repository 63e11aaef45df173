package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bounded memo: right answers always, each input worked out once while it stays, never more than its slots. */
final class BoundedMemoTest {

    @Test
    void aRepeatedInputIsWorkedOutOnce() {
        AtomicInteger calls = new AtomicInteger();
        BoundedMemo<String, Integer> lengths = new BoundedMemo<>(16, text -> {
            calls.incrementAndGet();
            return text.length();
        });

        assertEquals(5, lengths.apply("hello"));
        assertEquals(5, lengths.apply(new String("hello")));
        assertEquals(1, calls.get());
    }

    @Test
    void itHoldsNoMoreThanItsSlotsAndAnswersRightForEveryInputBeyondThem() {
        AtomicInteger calls = new AtomicInteger();
        BoundedMemo<Integer, String> names = new BoundedMemo<>(100, number -> {
            calls.incrementAndGet();
            return "n" + number;
        });
        assertEquals(128, names.capacity());

        List<Integer> inputs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            inputs.add(i * 7919);
        }
        for (int input : inputs) {
            assertEquals("n" + input, names.apply(input));
        }
        calls.set(0);
        for (int input : inputs) {
            assertEquals("n" + input, names.apply(input));
        }
        assertTrue(calls.get() >= inputs.size() - names.capacity(), "at most one remembered input per slot");
    }

    @Test
    void aCapacityOutsideItsBoundsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BoundedMemo<String, String>(0, text -> text));
        assertThrows(IllegalArgumentException.class, () -> new BoundedMemo<String, String>((1 << 20) + 1, text -> text));
        assertEquals(1, new BoundedMemo<String, String>(1, text -> text).capacity());
    }
}
