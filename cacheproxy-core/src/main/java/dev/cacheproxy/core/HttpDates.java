package dev.cacheproxy.core;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * HTTP-date (RFC 9110 §5.6.7) in its three forms, read with {@code java.time}. Like most caches, and as
 * §5.6.7's "recipients ... SHOULD be robust" suggests, it reads names in any case and takes the day of
 * the week as decoration: a date is not refused because its weekday is wrong.
 */
final class HttpDates {

    /** IMF-fixdate, the form to send: {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC)
            .withResolverStyle(ResolverStyle.STRICT);

    /** IMF-fixdate after its weekday: {@code 06 Nov 1994 08:49:37 GMT}. */
    private static final DateTimeFormatter IMF_FIXDATE_DATE = lenientCase("dd MMM uuuu HH:mm:ss 'GMT'");

    /**
     * The obsolete RFC 850 form after its weekday: {@code 06-Nov-94 08:49:37 GMT}. A two-digit year is read
     * as the one from 49 years ago to 50 years ahead, so that no date in that form lies more than 50 years
     * in the future, as §5.6.7 asks.
     */
    private static final DateTimeFormatter RFC_850_DATE = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendPattern("dd-MMM-")
            .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.now(ZoneOffset.UTC).minusYears(49))
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US)
            .withZone(ZoneOffset.UTC)
            .withResolverStyle(ResolverStyle.STRICT);

    /** The obsolete asctime form after its weekday: {@code Nov  6 08:49:37 1994}. */
    private static final DateTimeFormatter ASCTIME_DATE = lenientCase("MMM ppd HH:mm:ss uuuu");

    private static final List<DateTimeFormatter> WITH_COMMA = List.of(IMF_FIXDATE_DATE, RFC_850_DATE);
    private static final List<DateTimeFormatter> WITHOUT_COMMA = List.of(ASCTIME_DATE);

    private static final Set<String> WEEKDAYS = Set.of("mon", "tue", "wed", "thu", "fri", "sat", "sun",
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");

    private HttpDates() {
    }

    /** Stored responses carry the same dates hit after hit: parse each once. */
    private static final BoundedMemo<String, Optional<Instant>> PARSED = new BoundedMemo<>(4096, HttpDates::parseUncached);

    /** The instant an HTTP-date names; empty when the text is in none of the three forms. */
    static Optional<Instant> parse(String text) {
        return PARSED.apply(text);
    }

    private static Optional<Instant> parseUncached(String text) {
        String trimmed = text.strip();
        int afterWeekday = 0;
        while (afterWeekday < trimmed.length() && Character.isLetter(trimmed.charAt(afterWeekday))) {
            afterWeekday++;
        }
        if (!WEEKDAYS.contains(trimmed.substring(0, afterWeekday).toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        String rest = trimmed.substring(afterWeekday);
        // IMF-fixdate and RFC 850 put a comma after the weekday, asctime does not: without the comma a
        // date is only asctime (and "Thu 18 Aug 2050 ..." is invalid, as RFC 9111 §5.3 tests expect).
        boolean comma = rest.startsWith(",");
        rest = comma ? rest.substring(1) : rest;
        if (!rest.startsWith(" ")) {
            return Optional.empty();
        }
        rest = rest.substring(1);
        for (DateTimeFormatter form : comma ? WITH_COMMA : WITHOUT_COMMA) {
            try {
                return Optional.of(Instant.from(form.parse(rest)));
            } catch (DateTimeException notThisForm) {
                // try the next form
            }
        }
        return Optional.empty();
    }

    /** The instant as an IMF-fixdate. */
    static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    private static DateTimeFormatter lenientCase(String pattern) {
        return new DateTimeFormatterBuilder()
                .parseCaseInsensitive()
                .appendPattern(pattern)
                .toFormatter(Locale.US)
                .withZone(ZoneOffset.UTC)
                .withResolverStyle(ResolverStyle.STRICT);
    }
}
