package dev.cacheproxy.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An ordered list of header field lines. Names compare case-insensitively; a name may occur on
 * several lines and the order of lines is kept, as RFC 9110 §5.3 requires for list-based fields.
 *
 * @param lines the field lines, in the order received
 */
public record HeaderFields(List<HeaderField> lines) {

    private static final HeaderFields EMPTY = new HeaderFields(List.of());

    /**
     * Rejects a missing component with an exception naming it. Copies collections: later changes to
     * the caller's do not show.
     *
     * @param lines the field lines, in the order received
     */
    public HeaderFields {
        lines = List.copyOf(Objects.requireNonNull(lines, "lines"));
    }

    /** {@return no fields} */
    public static HeaderFields empty() {
        return EMPTY;
    }

    /**
     * Fields from alternating names and values: {@code of("Cache-Control", "max-age=60", "ETag", "\"a\"")}.
     *
     * @param namesAndValues a name, its value, the next name, its value...
     * @return the fields, in that order
     * @throws IllegalArgumentException for an odd number of strings or a bad name or value
     */
    public static HeaderFields of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs, got " + namesAndValues.length + " strings");
        }
        Builder builder = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    /** {@return a builder for a new list of fields} */
    public static Builder builder() {
        return new Builder(List.of());
    }

    /** {@return a builder that starts with these fields} */
    public Builder toBuilder() {
        return new Builder(lines);
    }

    // Indexed loops over the lines (an immutable, random-access list) below: they run on every hit, and
    // an iterator is an allocation the JIT does not always remove.

    /**
     * The value of every line with this name, in order; empty when there is none.
     *
     * @param name the field name, any case
     * @return the values
     */
    public List<String> values(String name) {
        List<String> values = List.of();
        for (int i = 0; i < lines.size(); i++) {
            HeaderField line = lines.get(i);
            if (line.hasName(name)) {
                if (values.isEmpty()) {
                    values = new ArrayList<>(2);
                }
                values.add(line.value());
            }
        }
        return values;
    }

    /**
     * The value of the first line with this name.
     *
     * @param name the field name, any case
     * @return its value, or empty when there is no such line
     */
    public Optional<String> first(String name) {
        for (int i = 0; i < lines.size(); i++) {
            HeaderField line = lines.get(i);
            if (line.hasName(name)) {
                return Optional.of(line.value());
            }
        }
        return Optional.empty();
    }

    /**
     * All lines with this name joined with {@code ", "}, the combined field value of RFC 9110 §5.3;
     * empty when there is no such line.
     *
     * @param name the field name, any case
     * @return the combined value
     */
    public Optional<String> combined(String name) {
        int first = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).hasName(name)) {
                if (first >= 0) {
                    return Optional.of(String.join(", ", values(name)));
                }
                first = i;
            }
        }
        // One line, the usual case: its value as it is, without a copy.
        return first < 0 ? Optional.empty() : Optional.of(lines.get(first).value());
    }

    /**
     * Whether at least one line has this name.
     *
     * @param name the field name, any case
     * @return {@code true} when it is present
     */
    public boolean contains(String name) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).hasName(name)) {
                return true;
            }
        }
        return false;
    }

    /** {@return the distinct names, in the case and order of their first occurrence} */
    public Set<String> names() {
        Set<String> seen = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (HeaderField line : lines) {
            if (seen.add(line.lowerCaseName())) {
                names.add(line.name());
            }
        }
        return names;
    }

    /**
     * These fields with every line of this name replaced by one line with this value, kept at the first
     * one's place.
     *
     * @param name  the field name
     * @param value its one value
     * @return the new fields; these are unchanged
     */
    public HeaderFields with(String name, String value) {
        return toBuilder().set(name, value).build();
    }

    /**
     * These fields without any line of the given names.
     *
     * @param names the field names to drop, any case
     * @return the new fields; these are unchanged
     */
    public HeaderFields without(String... names) {
        return toBuilder().removeAll(List.of(names)).build();
    }

    /** {@return whether there are no lines} */
    public boolean isEmpty() {
        return lines.isEmpty();
    }

    /** A mutable, single-threaded builder of {@link HeaderFields}. */
    public static final class Builder {
        private final List<HeaderField> lines;

        private Builder(List<HeaderField> initial) {
            // Room for the few fields a cache adds (Age, Cache-Status...) without growing.
            this.lines = new ArrayList<>(initial.size() + 8);
            this.lines.addAll(initial);
        }

        /**
         * Appends a line.
         *
         * @param name  the field name
         * @param value its value
         * @return this builder
         */
        public Builder add(String name, String value) {
            lines.add(new HeaderField(name, value));
            return this;
        }

        /**
         * Appends a line.
         *
         * @param line the line
         * @return this builder
         */
        public Builder add(HeaderField line) {
            lines.add(Objects.requireNonNull(line, "line"));
            return this;
        }

        /**
         * Appends every line of these fields.
         *
         * @param fields the lines to append, in their order
         * @return this builder
         */
        public Builder addAll(HeaderFields fields) {
            lines.addAll(fields.lines());
            return this;
        }

        /**
         * Replaces every line of this name with one line, at the place of the first (or at the end).
         *
         * @param name  the field name
         * @param value its one value
         * @return this builder
         */
        public Builder set(String name, String value) {
            HeaderField replacement = new HeaderField(name, value);
            int first = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).hasName(name)) {
                    first = i;
                    break;
                }
            }
            if (first < 0) {
                lines.add(replacement);
                return this;
            }
            lines.set(first, replacement);
            for (int i = lines.size() - 1; i > first; i--) {
                if (lines.get(i).hasName(name)) {
                    lines.remove(i);
                }
            }
            return this;
        }

        /**
         * Removes every line of this name.
         *
         * @param name the field name, any case
         * @return this builder
         */
        public Builder remove(String name) {
            lines.removeIf(line -> line.hasName(name));
            return this;
        }

        /**
         * Removes every line whose name is one of these, ignoring case.
         *
         * @param names the field names
         * @return this builder
         */
        public Builder removeAll(Collection<String> names) {
            return removeIf(line -> names.stream().anyMatch(line::hasName));
        }

        /**
         * Removes every line matching the predicate.
         *
         * @param predicate chooses the lines to remove
         * @return this builder
         */
        public Builder removeIf(Predicate<HeaderField> predicate) {
            lines.removeIf(predicate);
            return this;
        }

        /** {@return the fields added so far} */
        public HeaderFields build() {
            return new HeaderFields(lines);
        }
    }
}
