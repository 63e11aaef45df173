package dev.cacheproxy.servlet;

import dev.cacheproxy.api.ForwardingCachePolicy;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.core.Rfc9111Policy;
import java.time.Instant;

/** A user's policy, named in an init-param: never stores anything under {@code /cached/api}. */
public final class NoApiPolicy extends ForwardingCachePolicy {

    public NoApiPolicy() {
        super(Rfc9111Policy.sharedCache());
    }

    @Override
    public Storability storability(RequestHead request, ResponseHead response, Instant now) {
        if (request.path().startsWith("/cached/api")) {
            return new Storability.DoNotStore("policy: the API is never cached");
        }
        return super.storability(request, response, now);
    }
}
