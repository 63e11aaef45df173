package dev.cacheproxy.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One cache's entry in the RFC 9211 {@code Cache-Status} response field: whether it was a hit and,
 * if not, why the request went forward.
 *
 * @param cacheName  the cache's identifier, an sf-token or sf-string content
 * @param hit        the response came from the cache without going to the origin
 * @param forward    why the request went to the origin, when it did
 * @param fwdStatus  the status code the origin answered with, when it did
 * @param stored     the response was stored
 * @param collapsed  the request was collapsed with another one to the origin
 * @param ttl        the remaining freshness of the response, negative when stale
 * @param detail     a free-text reason, for people reading logs
 * @param key        the cache key, shown as {@code key} only when the engine's debug switch asks for it
 */
public record CacheStatus(
        String cacheName,
        boolean hit,
        Optional<ForwardReason> forward,
        OptionalInt fwdStatus,
        boolean stored,
        boolean collapsed,
        Optional<Duration> ttl,
        Optional<String> detail,
        Optional<CacheKey> key) {

    /**
     * Rejects a missing or invalid component with an exception naming it.
     *
     * @param cacheName the cache's identifier, an sf-token or sf-string content
     * @param hit       the response came from the cache without going to the origin
     * @param forward   why the request went to the origin, when it did
     * @param fwdStatus the status code the origin answered with, when it did
     * @param stored    the response was stored
     * @param collapsed the request was collapsed with another one to the origin
     * @param ttl       the remaining freshness of the response, negative when stale
     * @param detail    a free-text reason, for people reading logs
     * @param key       the cache key, shown only when the engine's debug switch asks for it
     */
    public CacheStatus {
        Objects.requireNonNull(cacheName, "cacheName");
        Objects.requireNonNull(forward, "forward");
        Objects.requireNonNull(fwdStatus, "fwdStatus");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(key, "key");
        if (hit == forward.isPresent()) {
            throw new IllegalArgumentException("a Cache-Status is either a hit or has a forward reason, not both or neither");
        }
    }

    /**
     * A status without a key.
     *
     * @param cacheName the cache's identifier, an sf-token or sf-string content
     * @param hit       the response came from the cache without going to the origin
     * @param forward   why the request went to the origin, when it did
     * @param fwdStatus the status code the origin answered with, when it did
     * @param stored    the response was stored
     * @param collapsed the request was collapsed with another one to the origin
     * @param ttl       the remaining freshness of the response, negative when stale
     * @param detail    a free-text reason, for people reading logs
     */
    public CacheStatus(String cacheName, boolean hit, Optional<ForwardReason> forward, OptionalInt fwdStatus, boolean stored,
                       boolean collapsed, Optional<Duration> ttl, Optional<String> detail) {
        this(cacheName, hit, forward, fwdStatus, stored, collapsed, ttl, detail, Optional.empty());
    }

    /**
     * A hit with its remaining freshness.
     *
     * @param cacheName the cache's name in the field
     * @param ttl       how long the response stays fresh (negative when stale)
     * @param detail    a free-text reason
     * @return the status
     */
    public static CacheStatus hit(String cacheName, Duration ttl, String detail) {
        return new CacheStatus(cacheName, true, Optional.empty(), OptionalInt.empty(), false, false,
                Optional.of(ttl), Optional.of(detail));
    }

    /**
     * A request that went to the origin for this reason.
     *
     * @param cacheName the cache's name in the field
     * @param reason    why the cache could not answer
     * @param detail    a free-text reason
     * @return the status
     */
    public static CacheStatus forward(String cacheName, ForwardReason reason, String detail) {
        return new CacheStatus(cacheName, false, Optional.of(reason), OptionalInt.empty(), false, false,
                Optional.empty(), Optional.of(detail));
    }

    /**
     * This status with the origin's status code.
     *
     * @param status the status code the origin answered
     * @return a copy with {@code fwd-status}
     */
    public CacheStatus withFwdStatus(int status) {
        return new CacheStatus(cacheName, hit, forward, OptionalInt.of(status), stored, collapsed, ttl, detail, key);
    }

    /**
     * This status marked stored, with the stored response's freshness.
     *
     * @param storedTtl how long the stored response is fresh
     * @return a copy with {@code stored} and {@code ttl}
     */
    public CacheStatus withStored(Duration storedTtl) {
        return new CacheStatus(cacheName, hit, forward, fwdStatus, true, collapsed, Optional.of(storedTtl), detail, key);
    }

    /** {@return this status marked as collapsed: answered by way of another request to the origin (RFC 9211 §2.5)} */
    public CacheStatus withCollapsed() {
        return new CacheStatus(cacheName, hit, forward, fwdStatus, stored, true, ttl, detail, key);
    }

    /**
     * This status with another detail.
     *
     * @param newDetail the free-text reason to carry instead
     * @return a copy with the detail
     */
    public CacheStatus withDetail(String newDetail) {
        return new CacheStatus(cacheName, hit, forward, fwdStatus, stored, collapsed, ttl, Optional.of(newDetail), key);
    }

    /**
     * This status showing the cache key (a debugging aid: a key can carry a header's or cookie's value).
     *
     * @param cacheKey the key the response is stored under
     * @return a copy with {@code key}
     */
    public CacheStatus withKey(CacheKey cacheKey) {
        return new CacheStatus(cacheName, hit, forward, fwdStatus, stored, collapsed, ttl, detail, Optional.of(cacheKey));
    }

    /** {@return the field member, e.g. {@code cacheproxy; fwd=uri-miss; fwd-status=200; stored; ttl=60}} */
    public String toHeaderValue() {
        // Plain ifs rather than ifPresent lambdas: this runs for every response.
        StringBuilder value = new StringBuilder(96).append(cacheName);
        if (hit) {
            value.append("; hit");
        }
        if (forward.isPresent()) {
            value.append("; fwd=").append(forward.get().token());
        }
        if (fwdStatus.isPresent()) {
            value.append("; fwd-status=").append(fwdStatus.getAsInt());
        }
        if (stored) {
            value.append("; stored");
        }
        if (collapsed) {
            value.append("; collapsed");
        }
        if (ttl.isPresent()) {
            value.append("; ttl=").append(ttl.get().toSeconds());
        }
        if (detail.isPresent()) {
            value.append("; detail=\"");
            appendQuotable(value, detail.get());
            value.append('"');
        }
        if (key.isPresent()) {
            value.append("; key=\"");
            appendQuotable(value, key.get().value());
            value.append('"');
        }
        return value.toString();
    }

    /** RFC 8941 sf-string content: printable ASCII, with backslash and quote escaped. */
    private static void appendQuotable(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append('?');
            }
        }
    }
}
