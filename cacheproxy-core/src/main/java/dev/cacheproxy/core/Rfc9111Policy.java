package dev.cacheproxy.core;

import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.api.StoredResponse;
import java.time.Instant;
import java.util.List;

/**
 * The shared-cache policy of RFC 9111: what a reverse proxy may store and when it may reuse it. Each
 * rule lives in its own class, named for its RFC section; this class only asks them in order.
 *
 * <p>Thread safe and stateless.
 */
public final class Rfc9111Policy implements CachePolicy {

    private static final Rfc9111Policy SHARED_CACHE = new Rfc9111Policy();

    private Rfc9111Policy() {
    }

    /** The policy of a shared cache, such as a reverse proxy, as RFC 9111 defines it. */
    public static Rfc9111Policy sharedCache() {
        return SHARED_CACHE;
    }

    @Override
    public Storability storability(RequestHead request, ResponseHead response, Instant now) {
        return StorageRule.decide(request, response, now);
    }

    @Override
    public Lookup lookup(RequestHead request, List<StoredResponse> variants, Instant now) {
        return ReuseRule.decide(request, variants, now);
    }
}
