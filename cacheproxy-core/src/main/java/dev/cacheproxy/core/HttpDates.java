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

/** HTTP-date (RFC 9110 §5.6.7) in its three forms, read with {@code java.time}. */
final class HttpDates {

    /** IMF-fixdate, the form to send: {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC)
            .withResolverStyle(ResolverStyle.STRICT);

    /**
     * The obsolete RFC 850 form: {@code Sunday, 06-Nov-94 08:49:37 GMT}. Two-digit years are read as
     * 1970 to 2069, which places every date in that form within 50 years of today, as §5.6.7 asks.
     */
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .appendPattern("EEEE, dd-MMM-")
            .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.of(1970, 1, 1))
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US)
            .withZone(ZoneOffset.UTC)
            .withResolverStyle(ResolverStyle.STRICT);

    /** The obsolete asctime form: {@code Sun Nov  6 08:49:37 1994}. */
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter
            .ofPattern("EEE MMM ppd HH:mm:ss uuuu", Locale.US)
            .withZone(ZoneOffset.UTC)
            .withResolverStyle(ResolverStyle.STRICT);

    private static final List<DateTimeFormatter> FORMS = List.of(IMF_FIXDATE, RFC_850, ASCTIME);

    private HttpDates() {
    }

    /** The instant an HTTP-date names; empty when the text is in none of the three forms. */
    static Optional<Instant> parse(String text) {
        String trimmed = text.strip();
        for (DateTimeFormatter form : FORMS) {
            try {
                return Optional.of(Instant.from(form.parse(trimmed)));
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
}
