package dev.cacheproxy.api;

import java.util.Locale;

/** Why a request went to the origin: the {@code fwd} parameter values of RFC 9211 §2.2. */
public enum ForwardReason {
    /** Configuration or policy said not to use the cache for this request. */
    BYPASS,
    /** The request method is not one the cache can answer. */
    METHOD,
    /** Nothing was stored for the target URI. */
    URI_MISS,
    /** Responses were stored for the URI, but none for this request's {@code Vary} values. */
    VARY_MISS,
    /** A stored response could not be used for another reason. */
    MISS,
    /** The request's own directives ({@code no-cache}, {@code max-age=0}...) asked for the origin. */
    REQUEST,
    /** A stored response was stale and went to the origin to be validated. */
    STALE,
    /** Only part of the response was stored. */
    PARTIAL;

    /** {@return the token as written in {@code Cache-Status}, e.g. {@code uri-miss}} */
    public String token() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
