package dev.cacheproxy.spring.boot;

import dev.cacheproxy.api.PurgeResult;
import java.net.URI;

/**
 * Purges by the URL clients use, routed as a request for it is: what {@link CacheproxyEndpoint} calls
 * for {@code {"url": ...}}. Free of the proxy's classes, so that the endpoint works without them.
 */
interface ClientUrlPurge {

    /**
     * Removes what a {@code GET} of this URL stored.
     *
     * @param clientUrl the absolute URL as clients use it
     * @return what was purged
     */
    PurgeResult purge(URI clientUrl);
}
