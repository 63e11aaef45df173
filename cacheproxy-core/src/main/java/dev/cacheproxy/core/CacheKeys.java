package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.RequestHead;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@link CacheKeyFunction} made of ready-made pieces, in the order they are added: what
 * {@code vcl_hash} and nginx's {@code proxy_cache_key} do, in a few lines of Java.
 *
 * <pre>{@code
 * CacheKeys keys = CacheKeys.targetUri()
 *         .ignoreQueryParameters("utm_*", "gclid", "fbclid")   // marketing tags never split the cache
 *         .sortQueryParameters()                              // ?a=1&b=2 and ?b=2&a=1 share a response
 *         .withHeader("X-Tenant");                            // each tenant its own responses
 * CachingEngine engine = CachingEngine.builder().cacheKeys(keys).build();
 * }</pre>
 *
 * <p>Only the key changes: the origin still gets the URI and fields the client sent. A header or
 * cookie that the response depends on must be a dimension (or be named by the response's
 * {@code Vary}); leaving it out hands one user's response to another. Dimensions are written
 * unambiguously (see {@link CacheKey}), so no header value can make one key look like another.
 *
 * <p>Immutable and thread safe; each method returns a new function.
 */
public final class CacheKeys implements CacheKeyFunction {

    private static final CacheKeys TARGET_URI = new CacheKeys(List.of(), List.of());

    /** One change to the URI part of the key. */
    private interface UriStep {
        void apply(KeyUri uri);
    }

    /** One dimension: its name in the key and how to read the request's value for it. */
    private record Dimension(String name, Function<RequestHead, Optional<String>> value) {
    }

    private final List<UriStep> uriSteps;
    private final List<Dimension> dimensions;

    private CacheKeys(List<UriStep> uriSteps, List<Dimension> dimensions) {
        this.uriSteps = List.copyOf(uriSteps);
        this.dimensions = List.copyOf(dimensions);
    }

    /** {@return the key of RFC 9111 §2, to build on: the normalised target URI, query as sent} */
    public static CacheKeys targetUri() {
        return TARGET_URI;
    }

    @Override
    public CacheKey keyFor(RequestHead request) {
        CacheKey key;
        if (uriSteps.isEmpty()) {
            key = CacheKey.of(request.uri());
        } else {
            KeyUri uri = new KeyUri(request.uri());
            for (UriStep step : uriSteps) {
                step.apply(uri);
            }
            key = uri.toKey();
        }
        for (Dimension dimension : dimensions) {
            key = key.withDimension(dimension.name(), dimension.value().apply(request));
        }
        return key;
    }

    /**
     * Leaves these query parameters out of the key, by name; a name may end or start with {@code *}
     * ({@code utm_*}) or have one in between, which matches any run of characters. Names are compared
     * after percent-decoding, case-sensitively, as origins compare them.
     *
     * <p>Parameters are separated by {@code &} only. A parameter whose raw name or value contains a
     * {@code ;} is never left out: origins that also split on {@code ;} (Rack 2, older Python) would
     * read a hidden parameter in it ({@code utm_content=1;callback=evil}), which would then change a
     * response stored under a key without it.
     *
     * @param namePatterns parameter names, each with at most one {@code *}
     * @return these pieces and that one
     */
    public CacheKeys ignoreQueryParameters(String... namePatterns) {
        Predicate<String> ignored = anyOf(namePatterns);
        return withUriStep(uri -> uri.parameters.removeIf(parameter -> parameter.droppable() && ignored.test(parameter.name())));
    }

    /**
     * Keeps only these query parameters in the key (patterns as in {@link #ignoreQueryParameters}); an
     * allow-list. A parameter whose raw name or value contains {@code ;} stays in the key all the same,
     * for the reason {@link #ignoreQueryParameters} gives.
     *
     * @param namePatterns parameter names, each with at most one {@code *}
     * @return these pieces and that one
     */
    public CacheKeys keepOnlyQueryParameters(String... namePatterns) {
        Predicate<String> kept = anyOf(namePatterns);
        return withUriStep(uri -> uri.parameters.removeIf(parameter -> parameter.droppable() && !kept.test(parameter.name())));
    }

    /**
     * Sorts the query parameters by name (then by value, so repeated names keep a stable order), so that
     * their order in the request does not split the cache.
     *
     * @return these pieces and that one
     */
    public CacheKeys sortQueryParameters() {
        return withUriStep(uri -> uri.parameters.sort(Comparator.comparing(QueryParameter::name).thenComparing(QueryParameter::raw)));
    }

    /**
     * Leaves the whole query out of the key: {@code /page?x=1} and {@code /page} share a response.
     *
     * @return the key piece
     */
    public CacheKeys dropQuery() {
        return withUriStep(uri -> uri.parameters.clear());
    }

    /**
     * Lower-cases the path in the key, for origins whose paths are case-insensitive (IIS, some object stores).
     *
     * @return the key piece
     */
    public CacheKeys lowerCasePath() {
        return withUriStep(uri -> uri.path = uri.path.toLowerCase(Locale.ROOT));
    }

    /**
     * Adds a request header field's value as a dimension of the key, named {@code header:<name>}: its
     * value, or absent when the request has none. A request that sends the field more than once with
     * different values has no key ({@link CacheKeyFunction.NoKey}): origins take the first, the last or
     * all of them, so no one value would be safe to key on; it goes to the origin uncached.
     *
     * @param fieldName the request field's name, any case
     * @return these pieces and that one
     */
    public CacheKeys withHeader(String fieldName) {
        Objects.requireNonNull(fieldName, "fieldName");
        new HeaderField(fieldName, ""); // validates the name
        return withDimension("header:" + fieldName.toLowerCase(Locale.ROOT),
                request -> onlyValue(request.headers().values(fieldName), "header " + fieldName));
    }

    /**
     * Adds a cookie's value as a dimension of the key, named {@code cookie:<name>}: the value of the
     * cookie of that name in the request's {@code Cookie} fields (RFC 6265 §5.4), or absent. A request
     * that sends the cookie more than once with different values ({@code lang=en; lang=fr}) has no key
     * ({@link CacheKeyFunction.NoKey}): some origins take the first, others the last; it goes to the
     * origin uncached.
     *
     * @param cookieName the cookie's name, case-sensitive
     * @return these pieces and that one
     */
    public CacheKeys withCookie(String cookieName) {
        Objects.requireNonNull(cookieName, "cookieName");
        requireCookieName(cookieName);
        return withDimension("cookie:" + cookieName,
                request -> onlyValue(RequestCookies.values(request.headers(), cookieName), "cookie " + cookieName));
    }

    /** The one value sent, however often; no key when different values were sent. */
    private static Optional<String> onlyValue(List<String> values, String what) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        String first = values.get(0);
        for (int i = 1; i < values.size(); i++) {
            if (!values.get(i).equals(first)) {
                throw new CacheKeyFunction.NoKey(what + " sent more than once with different values");
            }
        }
        return Optional.of(first);
    }

    /**
     * Adds a dimension computed in code, e.g. a device class derived from {@code User-Agent}.
     *
     * @param name  the dimension's name in the key: visible ASCII without space or {@code =}
     * @param value the request's value for it, or empty when it has none; must be pure and thread safe
     * @return these pieces and that one
     */
    public CacheKeys withDimension(String name, Function<RequestHead, Optional<String>> value) {
        Objects.requireNonNull(value, "value");
        CacheKey.of(URI.create("http://validation/")).withDimension(name, Optional.empty()); // validates the name
        List<Dimension> more = new ArrayList<>(dimensions);
        more.add(new Dimension(name, value));
        return new CacheKeys(uriSteps, more);
    }

    /** RFC 6265 §4.1.1: a cookie name is a token, as a field name is. */
    static void requireCookieName(String cookieName) {
        try {
            new HeaderField(cookieName, "");
        } catch (IllegalArgumentException notAToken) {
            throw new IllegalArgumentException("a cookie name is a token (RFC 6265 §4.1.1), got \"" + cookieName + "\"", notAToken);
        }
    }

    private CacheKeys withUriStep(UriStep step) {
        List<UriStep> more = new ArrayList<>(uriSteps);
        more.add(step);
        return new CacheKeys(more, dimensions);
    }

    private static Predicate<String> anyOf(String... namePatterns) {
        if (namePatterns.length == 0) {
            throw new IllegalArgumentException("name at least one query parameter");
        }
        List<Predicate<String>> matchers = new ArrayList<>();
        for (String pattern : namePatterns) {
            Objects.requireNonNull(pattern, "pattern");
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("a query parameter pattern must not be empty");
            }
            matchers.add(Globs.wildcard(pattern));
        }
        return name -> {
            for (Predicate<String> matcher : matchers) {
                if (matcher.test(name)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** A query parameter: its name, percent-decoded for matching, and the raw {@code name=value} text kept in the key. */
    private record QueryParameter(String name, String raw) {
        static QueryParameter parse(String raw) {
            int equals = raw.indexOf('=');
            String rawName = equals < 0 ? raw : raw.substring(0, equals);
            String name;
            try {
                name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException badEscape) {
                name = rawName; // a malformed escape is matched as written
            }
            return new QueryParameter(name, raw);
        }

        /**
         * Whether a step may leave it out of the key: not when it contains {@code ;}, which some origins
         * read as a separator, so that it may carry a parameter the step was never asked about.
         */
        boolean droppable() {
            return raw.indexOf(';') < 0;
        }
    }

    /** The URI part of a key while the steps change it: the normalised origin, the raw path, the parameters. */
    private static final class KeyUri {
        private final String origin;
        private String path;
        private final List<QueryParameter> parameters = new ArrayList<>();

        KeyUri(URI target) {
            String normalised = CacheKey.of(target).value();
            String rawPath = target.getRawPath();
            this.path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
            String rawQuery = target.getRawQuery();
            int pathStart = normalised.indexOf('/', normalised.indexOf("://") + 3);
            this.origin = pathStart < 0 ? normalised : normalised.substring(0, pathStart);
            if (rawQuery != null) {
                for (String raw : rawQuery.split("&", -1)) {
                    if (!raw.isEmpty()) {
                        parameters.add(QueryParameter.parse(raw));
                    }
                }
            }
        }

        CacheKey toKey() {
            StringBuilder key = new StringBuilder(origin.length() + path.length() + 32).append(origin).append(path);
            if (!parameters.isEmpty()) {
                key.append('?');
                for (int i = 0; i < parameters.size(); i++) {
                    if (i > 0) {
                        key.append('&');
                    }
                    key.append(parameters.get(i).raw());
                }
            }
            return new CacheKey(key.toString());
        }
    }
}
