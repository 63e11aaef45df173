package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * RFC 9111 §4.1: which stored variant a request selects. A response's {@code Vary} nominates request
 * fields; a stored response is reused only for requests whose nominated fields match those of the
 * request that produced it. Values are normalised (lines combined, white space around commas folded,
 * RFC 9110 §5.3) so that semantically equal requests select the same variant.
 */
final class VaryRule {

    /** Separates the parts of a variant key; a control character no field value may hold. */
    private static final char SEPARATOR = '\u0001';
    private static final String ABSENT = "\u0002";

    /** The variant key of a response without {@code Vary}: every request selects it. */
    private static final Optional<String> NO_VARY = Optional.of("");

    private VaryRule() {
    }

    /** The field names a response's {@code Vary} lists, lower case; {@code "*"} stays {@code "*"}. */
    static List<String> nominatedFields(HeaderFields responseHeaders) {
        // Several Vary lines mean what their values joined with commas mean (RFC 9110 §5.3); one line, the
        // usual case, is taken as it is, so a hit makes no list here.
        Optional<String> vary = responseHeaders.combined("Vary");
        return vary.isEmpty() ? List.of() : NOMINATED.apply(vary.get());
    }

    /** A stored response's Vary is the same line hit after hit: read each line once. */
    private static final BoundedMemo<String, List<String>> NOMINATED = new BoundedMemo<>(1024, VaryRule::nominated);

    /** Request values repeat from client to client ("gzip, deflate, br"): normalise each once. */
    private static final BoundedMemo<String, String> WEIGHTED = new BoundedMemo<>(4096, VaryRule::normaliseWeightedUncached);

    /** The names one {@code Vary} value lists (several lines are combined into one before), lower case and sorted. */
    private static List<String> nominated(String vary) {
        TreeSet<String> names = new TreeSet<>();
        for (String name : vary.split(",")) {
            String trimmed = name.strip();
            if (!trimmed.isEmpty()) {
                names.add(trimmed.toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(names);
    }

    /** Whether the response's {@code Vary} contains {@code *}: it never matches any request (§4.1). */
    static boolean variesOnEverything(HeaderFields responseHeaders) {
        return nominatedFields(responseHeaders).contains("*");
    }

    /**
     * The variant key of a request for a response with these headers: the normalised values of the
     * request fields its {@code Vary} nominates. Empty when {@code Vary} has {@code *}.
     */
    static Optional<String> variantKey(HeaderFields responseHeaders, HeaderFields requestHeaders) {
        return variantKey(responseHeaders, requestHeaders, Optional.empty());
    }

    /**
     * The variant key of this request, as {@link #variantKey(HeaderFields, HeaderFields)}; a user the
     * server authenticated without an {@code Authorization} field stands for that field, so that
     * {@code Vary: Authorization} keeps users apart however they were authenticated.
     */
    static Optional<String> variantKey(HeaderFields responseHeaders, RequestHead request) {
        return variantKey(responseHeaders, request.headers(), request.authenticatedUser());
    }

    private static Optional<String> variantKey(HeaderFields responseHeaders, HeaderFields requestHeaders,
                                               Optional<String> authenticatedUser) {
        List<String> fields = nominatedFields(responseHeaders);
        if (fields.isEmpty()) {
            return NO_VARY;
        }
        if (fields.contains("*")) {
            return Optional.empty();
        }
        StringBuilder key = new StringBuilder();
        for (String field : fields) {
            key.append(field).append('=').append(normalisedValue(field, requestHeaders, authenticatedUser)).append(SEPARATOR);
        }
        return Optional.of(key.toString());
    }

    /**
     * Whether this request selects a stored response whose {@code Vary} is in {@code responseHeaders} and
     * whose variant key is {@code storedKey}: the same answer as comparing {@link #variantKey} with it,
     * without building the request's key, as this runs for every variant on every hit.
     */
    static boolean selects(HeaderFields responseHeaders, RequestHead request, String storedKey) {
        List<String> fields = nominatedFields(responseHeaders);
        if (fields.isEmpty()) {
            return storedKey.isEmpty();
        }
        if (fields.contains("*")) {
            return false;
        }
        // The key is field '=' value SEPARATOR for each field in turn: compare it part by part.
        int at = 0;
        for (String field : fields) {
            if (!storedKey.startsWith(field, at) || !hasCharAt(storedKey, at + field.length(), '=')) {
                return false;
            }
            at += field.length() + 1;
            String normalised = normalisedValue(field, request.headers(), request.authenticatedUser());
            if (!storedKey.startsWith(normalised, at) || !hasCharAt(storedKey, at + normalised.length(), SEPARATOR)) {
                return false;
            }
            at += normalised.length() + 1;
        }
        return at == storedKey.length();
    }

    private static boolean hasCharAt(String text, int index, char expected) {
        return index < text.length() && text.charAt(index) == expected;
    }

    /** The nominated field's normalised value in the request, or the mark of its absence. */
    private static String normalisedValue(String field, HeaderFields requestHeaders, Optional<String> authenticatedUser) {
        Optional<String> value = requestHeaders.combined(field);
        if (value.isEmpty() && authenticatedUser.isPresent() && field.equals("authorization")) {
            value = Optional.of(userMarker(authenticatedUser.get()));
        }
        if (value.isEmpty()) {
            return ABSENT;
        }
        return WEIGHTED_TOKEN_LISTS.contains(field) ? normaliseWeighted(value.get()) : NORMALISED.apply(value.get());
    }

    /** Other request values repeat too (a User-Agent, a cookie): normalise each once. */
    private static final BoundedMemo<String, String> NORMALISED = new BoundedMemo<>(4096, VaryRule::normalise);

    /**
     * RFC 9110 §12.5.3 to §12.5.5: the lists of case-insensitive tokens with weights, where two requests
     * mean the same when they give the same tokens the same weights, whatever the order and case.
     */
    private static final Set<String> WEIGHTED_TOKEN_LISTS = Set.of("accept-language", "accept-encoding", "accept-charset");

    /**
     * A weighted token list as its tokens, lower case, with their weights, highest first (ties in token
     * order): {@code "en, DE;q=0.5"} and {@code "de;q=0.50,en"} both become {@code "en;q=1,de;q=0.5"}. An
     * element that does not parse is kept as it is, so unusual values still only match themselves.
     */
    static String normaliseWeighted(String value) {
        return WEIGHTED.apply(value);
    }

    private static String normaliseWeightedUncached(String value) {
        List<Weighted> elements = new ArrayList<>();
        for (String element : value.split(",")) {
            String trimmed = element.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split(";");
            String token = parts[0].strip().toLowerCase(Locale.ROOT);
            BigDecimal weight = BigDecimal.ONE;
            boolean parsed = parts.length <= 2;
            if (parts.length == 2) {
                String parameter = parts[1].strip().toLowerCase(Locale.ROOT);
                parsed = parameter.matches("q\\s*=\\s*(0(\\.\\d{0,3})?|1(\\.0{0,3})?)");
                if (parsed) {
                    weight = new BigDecimal(parameter.substring(parameter.indexOf('=') + 1).strip()).stripTrailingZeros();
                }
            }
            elements.add(parsed ? new Weighted(token, weight) : new Weighted(trimmed.replaceAll("[ \t]+", " "), BigDecimal.valueOf(-1)));
        }
        elements.sort(Comparator.comparing(Weighted::weight).reversed().thenComparing(Weighted::token));
        StringBuilder out = new StringBuilder();
        for (Weighted element : elements) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(element.token()).append(";q=").append(element.weight().toPlainString());
        }
        return out.toString();
    }

    /**
     * What stands for the {@code Authorization} field of a user the server authenticated: a digest of
     * the name, stable for one user, different between users, and not the name itself (variant keys
     * are stored, possibly in a store shared with other proxies).
     */
    private static String userMarker(String user) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(user.getBytes(StandardCharsets.UTF_8));
            return "CacheproxyPrincipal " + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java platform has SHA-256", impossible);
        }
    }

    private record Weighted(String token, BigDecimal weight) {
    }

    /** Folds the white space around list commas and runs of white space, so that equal lists compare equal. */
    static String normalise(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (String element : value.split(",")) {
            String trimmed = element.strip().replaceAll("[ \t]+", " ");
            if (trimmed.isEmpty()) {
                continue;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(trimmed);
        }
        return out.toString();
    }
}
