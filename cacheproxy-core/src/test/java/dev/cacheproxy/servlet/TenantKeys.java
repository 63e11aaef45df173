package dev.cacheproxy.servlet;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.core.CacheKeys;

/** A user's key function, named in an init-param: one stored response per tenant. */
public final class TenantKeys implements CacheKeyFunction {

    private final CacheKeyFunction keys = CacheKeys.targetUri().withHeader("X-Tenant");

    @Override
    public CacheKey keyFor(RequestHead request) {
        return keys.keyFor(request);
    }
}
