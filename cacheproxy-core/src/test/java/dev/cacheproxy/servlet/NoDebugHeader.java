package dev.cacheproxy.servlet;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.RequestNormalizer;

/** A user's request normalizer, named in an init-param: the servlet never sees {@code X-Debug}. */
public final class NoDebugHeader implements RequestNormalizer {

    @Override
    public HeaderFields normalize(RequestHead clientRequest) {
        return clientRequest.headers().without("X-Debug");
    }
}
