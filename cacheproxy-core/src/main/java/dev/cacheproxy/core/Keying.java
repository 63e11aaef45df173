package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.RequestHead;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of the {@link CacheKeyFunction}: computes keys with the user's function, contains
 * its faults, and shows keys in {@code Cache-Status} when asked to.
 */
final class Keying {

    private static final Logger LOG = LoggerFactory.getLogger(Keying.class);
    /** Starts the key of a request whose key could not be computed; no URI starts so. */
    private static final String UNKEYABLE = "!unkeyable ";
    /** Begins the key-only part {@link CacheKey#withPathRewrite} adds; nothing else in a key has it. */
    private static final String PATH_REWRITE_MARKER = " @";

    /**
     * A client's request as the cache looks it up: normalised, with its key, and the changes that make the
     * origin get the normalised fields.
     *
     * @param request        the normalised request; the client's own when normalising failed
     * @param key            its key; {@linkplain #isUnkeyable unkeyable} when normalising or keying failed
     * @param changes        what the origin request must change to carry the normalised fields
     * @param unkeyableWhy   why the key is unkeyable, for {@code Cache-Status}; empty when it is not
     */
    record Keyed(RequestHead request, CacheKey key, RequestNormalization.Changes changes, String unkeyableWhy) {

        /** Whether the cache may answer or store for this request: its key could be computed. */
        boolean keyable() {
            return !isUnkeyable(key);
        }
    }

    private final CacheKeyFunction function;
    private final boolean showInCacheStatus;
    private final LogThrottle faults;
    private final RequestNormalization normalization;

    Keying(CacheKeyFunction function, boolean showInCacheStatus, Duration faultLogInterval, RequestNormalization normalization) {
        this.function = withPathRewrites(function);
        this.showInCacheStatus = showInCacheStatus;
        this.faults = new LogThrottle(faultLogInterval);
        this.normalization = normalization;
    }

    /** The client's request normalised (vcl_recv: what the cache looks up and what the origin gets) and keyed. */
    Keyed keyed(RequestHead sentRequest) {
        Optional<RequestHead> normalized = normalization.apply(sentRequest);
        if (normalized.isEmpty()) {
            return new Keyed(sentRequest, unkeyable(), RequestNormalization.Changes.NONE, "request normalizer failed");
        }
        RequestHead clientRequest = normalized.get();
        RequestNormalization.Changes changes = RequestNormalization.changes(sentRequest.headers(), clientRequest.headers());
        try {
            return new Keyed(clientRequest, function.keyFor(clientRequest), changes, "");
        } catch (CacheKeyFunction.NoKey noKey) {
            return new Keyed(clientRequest, unkeyable(), changes, "no cache key: " + noKey.getMessage());
        } catch (RuntimeException fault) {
            logFault(clientRequest, fault);
            return new Keyed(clientRequest, unkeyable(), changes, "cache key function failed");
        }
    }

    /** The key of this request once normalised, as it is stored. */
    CacheKey keyForNormalized(RequestHead request) {
        return keyFor(normalization.apply(request).orElse(request));
    }

    /**
     * The request's key. When the function fails or finds no key for the request, a key of this request
     * alone, which nothing is stored under and which {@link #isUnkeyable} recognises, so that the response
     * is not stored either: storing it under a wrong key could hand it to another user.
     */
    CacheKey keyFor(RequestHead request) {
        try {
            return function.keyFor(request);
        } catch (CacheKeyFunction.NoKey noKey) {
            return unkeyable();
        } catch (RuntimeException fault) {
            logFault(request, fault);
            return unkeyable();
        }
    }

    /** The user's key function with the path rewrite appended: what purges key by, too. */
    CacheKeyFunction function() {
        return function;
    }

    /**
     * The user's key function, then the request's {@linkplain RequestHead#pathRewrite path rewrite} as the
     * key's last, key-only part: the one place it is added, for lookups, stores, invalidations and purges
     * alike. The user's function sees the client's URI and never has to know about routes.
     */
    static CacheKeyFunction withPathRewrites(CacheKeyFunction function) {
        Objects.requireNonNull(function, "function");
        return request -> {
            CacheKey key = Objects.requireNonNull(function.keyFor(request), "the cache key function returned null");
            if (key.value().contains(PATH_REWRITE_MARKER)) {
                // Only the engine writes this part: a function's key with it could pose as another route's entry.
                throw new IllegalStateException("the cache key function returned a key containing \"" + PATH_REWRITE_MARKER
                        + "\", which only the engine's path-rewrite part may contain; build keys with CacheKey.of and withDimension");
            }
            return key.withPathRewrite(request.pathRewrite());
        };
    }

    private void logFault(RequestHead request, RuntimeException fault) {
        long heldBack = faults.tryAcquire();
        if (heldBack >= 0) {
            LOG.warn("cache key function failed for {}; forwarding uncached ({} more such failures not logged)",
                    request.uri(), heldBack, fault);
        }
    }

    /** A key of one request alone, for a request the cache must not store nor answer from the store. */
    static CacheKey unkeyable() {
        return new CacheKey(UNKEYABLE + UUID.randomUUID());
    }

    /** Whether this key stands for a request whose key could not be computed. */
    static boolean isUnkeyable(CacheKey key) {
        return key.value().startsWith(UNKEYABLE);
    }

    /** The status with {@code key=} when the debug switch is on. */
    CacheStatus shown(CacheStatus status, CacheKey key) {
        return showInCacheStatus ? status.withKey(key) : status;
    }
}
