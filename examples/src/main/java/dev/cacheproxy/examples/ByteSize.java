package dev.cacheproxy.examples;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes on the command line: a whole number of bytes, or of {@code KiB}, {@code MiB}, {@code GiB} or {@code TiB}. */
final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(B|KiB|MiB|GiB|TiB)?");

    private ByteSize() {
    }

    /**
     * The number of bytes {@code text} says, e.g. {@code 64MiB}, {@code 512KiB}, {@code 1GiB} or {@code 4096}.
     * Throws {@link IllegalArgumentException} with a one-line reason naming {@code flag} otherwise.
     */
    static long parse(String flag, String text) {
        Matcher matcher = SIZE.matcher(text.strip());
        if (!matcher.matches()) {
            String hint = text.toUpperCase(Locale.ROOT).matches(".*\\d\\s*[KMGT]B?") ? " (use KiB, MiB, GiB: sizes are powers of 1024)" : "";
            throw new IllegalArgumentException(flag + " must be a size such as 512KiB, 64MiB or 1GiB, got " + text + hint);
        }
        int shift = switch (matcher.group(2) == null ? "B" : matcher.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            case "TiB" -> 40;
            default -> 0;
        };
        long number;
        try {
            number = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException tooLarge) {
            throw new IllegalArgumentException(flag + " is too large: " + text);
        }
        if (number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(flag + " is too large: " + text);
        }
        return number << shift;
    }

    /** The size in the largest unit that divides it, e.g. {@code 256MiB}, for messages. */
    static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        long value = bytes;
        while (unit < units.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + units[unit];
    }
}
