package dev.cacheproxy.store;

import dev.cacheproxy.api.HeaderField;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The strings of stored header fields, decoded once and shared: names and most values repeat from entry
 * to entry ({@code Content-Type}, {@code Cache-Control}, {@code Server}...), and every read from the
 * off-heap or disk tier decodes all of them. A small table of recent short ASCII strings, indexed by a
 * hash of their bytes, hands back the string it already has for the same bytes; anything else is
 * decoded as usual. A collision only costs a new string. Thread safe.
 */
final class FieldStrings {

    /** Slots: a power of two. */
    private static final int SLOTS = 4096;
    /** Longer strings are rarely repeated (dates, tags) and cost more to compare than to decode. */
    private static final int MAX_SHARED_LENGTH = 64;

    private final AtomicReferenceArray<String> slots = new AtomicReferenceArray<>(SLOTS);
    private final AtomicReferenceArray<HeaderField> lines = new AtomicReferenceArray<>(SLOTS);

    /** The field line of this name and value, shared when both strings were shared (so are the same objects). */
    HeaderField line(String name, String value) {
        int slot = (System.identityHashCode(name) * 31 + System.identityHashCode(value)) & (SLOTS - 1);
        HeaderField known = lines.get(slot);
        if (known != null && known.name() == name && known.value() == value) {
            return known;
        }
        HeaderField line = new HeaderField(name, value);
        if (line.value() == value) { // not stripped into a new string: safe to find again by identity
            lines.set(slot, line);
        }
        return line;
    }

    /** The {@code length} UTF-8 bytes at the buffer's position as a string; the position moves past them. */
    String read(ByteBuffer in, int length) {
        if (length == 0) {
            return "";
        }
        if (length > MAX_SHARED_LENGTH) {
            return decode(in, length);
        }
        int start = in.position();
        int hash = 0;
        for (int i = 0; i < length; i++) {
            byte b = in.get(start + i);
            if (b < 0) {
                return decode(in, length); // not ASCII: decoded as UTF-8, not shared
            }
            hash = 31 * hash + b;
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String known = slots.get(slot);
        if (known != null && sameAscii(known, in, start, length)) {
            in.position(start + length);
            return known;
        }
        String decoded = decode(in, length);
        slots.set(slot, decoded);
        return decoded;
    }

    private static boolean sameAscii(String known, ByteBuffer in, int start, int length) {
        if (known.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (known.charAt(i) != in.get(start + i)) {
                return false;
            }
        }
        return true;
    }

    /** Decodes straight from the buffer's array when it has one (the string copies the bytes), else through a copy. */
    private static String decode(ByteBuffer in, int length) {
        String text;
        if (in.hasArray()) {
            text = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
        } else {
            byte[] bytes = new byte[length];
            in.get(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        return text;
    }
}
