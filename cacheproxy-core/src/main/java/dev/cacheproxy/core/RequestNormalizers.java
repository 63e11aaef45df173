package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.RequestNormalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Ready-made {@link RequestNormalizer}s, the usual {@code vcl_recv} steps; combine them with
 * {@link RequestNormalizer#andThen}.
 *
 * <pre>{@code
 * RequestNormalizer normalizer = RequestNormalizers.acceptEncoding("br", "gzip")
 *         .andThen(RequestNormalizers.keepOnlyCookies("session"))
 *         .andThen(RequestNormalizers.removeFields("X-Debug"));
 * CachingEngine engine = CachingEngine.builder().normalizeRequests(normalizer).build();
 * }</pre>
 */
public final class RequestNormalizers {

    private RequestNormalizers() {
    }

    /**
     * Removes these fields from every request ({@code unset req.http.X}).
     *
     * @param names field names, any case
     * @return the normalizer
     */
    public static RequestNormalizer removeFields(String... names) {
        List<String> removed = fieldNames(names);
        return request -> request.headers().toBuilder().removeAll(removed).build();
    }

    /**
     * Sets a field to the value computed from the request, or removes it when the value is empty
     * ({@code set req.http.X = ...}).
     *
     * @param name  the field's name
     * @param value computes its value from the request; must be pure and thread safe
     * @return the normalizer
     */
    public static RequestNormalizer setField(String name, Function<RequestHead, Optional<String>> value) {
        new HeaderField(name, ""); // validates the name
        Objects.requireNonNull(value, "value");
        return request -> {
            Optional<String> newValue = value.apply(request);
            return newValue.isPresent() ? request.headers().with(name, newValue.get()) : request.headers().without(name);
        };
    }

    /**
     * Reduces {@code Accept-Encoding} to the first of these codings the client accepts (RFC 9110
     * §12.5.3: listed or covered by {@code *}, with a non-zero {@code q}), or removes it when the client
     * accepts none of them. With the origin's {@code Vary: Accept-Encoding} that leaves at most one
     * stored variant per coding, instead of one per browser's way of writing the field.
     *
     * @param preferredCodings content codings, most preferred first, e.g. {@code br}, {@code gzip}
     * @return the normalizer
     */
    public static RequestNormalizer acceptEncoding(String... preferredCodings) {
        if (preferredCodings.length == 0) {
            throw new IllegalArgumentException("name at least one content coding, e.g. \"gzip\"");
        }
        List<String> preferred = new ArrayList<>();
        for (String coding : preferredCodings) {
            new HeaderField(coding, ""); // a coding is a token
            preferred.add(coding.toLowerCase(Locale.ROOT));
        }
        return request -> {
            if (!request.headers().contains("Accept-Encoding")) {
                return request.headers();
            }
            AcceptedCodings accepted = AcceptedCodings.parse(request.headers().values("Accept-Encoding"));
            for (String coding : preferred) {
                if (accepted.accepts(coding)) {
                    return request.headers().with("Accept-Encoding", coding);
                }
            }
            return request.headers().without("Accept-Encoding");
        };
    }

    /**
     * Keeps only these cookies in the request's {@code Cookie} field and removes the field when none is
     * left: analytics cookies then no longer reach the origin or make a response look personal.
     *
     * @param cookieNames the cookies to keep
     * @return the normalizer
     */
    public static RequestNormalizer keepOnlyCookies(String... cookieNames) {
        List<String> kept = new ArrayList<>();
        for (String name : cookieNames) {
            CacheKeys.requireCookieName(name);
            kept.add(name);
        }
        return cookieFilter(kept::contains);
    }

    /**
     * Removes the cookies whose names match these patterns ({@code _ga*}, {@code *_utm}) from {@code Cookie}.
     *
     * @param namePatterns cookie names, each with at most one {@code *}
     * @return the normalizer
     */
    public static RequestNormalizer removeCookies(String... namePatterns) {
        if (namePatterns.length == 0) {
            throw new IllegalArgumentException("name at least one cookie pattern");
        }
        List<Predicate<String>> removed = new ArrayList<>();
        for (String pattern : namePatterns) {
            removed.add(Globs.wildcard(Objects.requireNonNull(pattern, "pattern")));
        }
        return cookieFilter(name -> removed.stream().noneMatch(matcher -> matcher.test(name)));
    }

    private static RequestNormalizer cookieFilter(Predicate<String> keep) {
        return request -> {
            List<String> lines = request.headers().values("Cookie");
            if (lines.isEmpty()) {
                return request.headers();
            }
            List<String> pairs = new ArrayList<>();
            for (String line : lines) {
                for (String pair : line.split(";")) {
                    String trimmed = pair.strip();
                    int equals = trimmed.indexOf('=');
                    if (equals > 0 && keep.test(trimmed.substring(0, equals).strip())) {
                        pairs.add(trimmed);
                    }
                }
            }
            return pairs.isEmpty() ? request.headers().without("Cookie") : request.headers().with("Cookie", String.join("; ", pairs));
        };
    }

    private static List<String> fieldNames(String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("name at least one field");
        }
        List<String> checked = new ArrayList<>();
        for (String name : names) {
            new HeaderField(name, ""); // validates the name
            checked.add(name);
        }
        return checked;
    }

    /** RFC 9110 §12.5.3: the codings an {@code Accept-Encoding} field accepts, with their weights. */
    private record AcceptedCodings(java.util.Map<String, Double> weights) {
        static AcceptedCodings parse(List<String> lines) {
            java.util.Map<String, Double> weights = new java.util.HashMap<>();
            for (String line : lines) {
                for (String element : line.split(",")) {
                    String[] parts = element.split(";");
                    String coding = parts[0].strip().toLowerCase(Locale.ROOT);
                    if (coding.isEmpty()) {
                        continue;
                    }
                    double weight = 1.0;
                    for (int i = 1; i < parts.length; i++) {
                        String parameter = parts[i].strip();
                        if (parameter.length() > 2 && (parameter.charAt(0) == 'q' || parameter.charAt(0) == 'Q') && parameter.charAt(1) == '=') {
                            try {
                                weight = Double.parseDouble(parameter.substring(2).strip());
                            } catch (NumberFormatException badWeight) {
                                weight = 0; // an unreadable weight is not an acceptance
                            }
                        }
                    }
                    weights.merge(coding, weight, Math::max);
                }
            }
            return new AcceptedCodings(weights);
        }

        boolean accepts(String coding) {
            Double own = weights.get(coding);
            if (own != null) {
                return own > 0;
            }
            Double any = weights.get("*");
            return any != null && any > 0;
        }
    }
}
