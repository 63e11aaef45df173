package dev.cacheproxy.spring.boot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.PathRewrite;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.core.CachingEngine;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** Waits for a response to be stored: the store is written once the body has ended, which the client may see first. */
final class Stored {

    private Stored() {
    }

    /** Waits until a response for {@code GET uri} is in the engine's store. */
    static void await(CachingEngine engine, String uri) {
        await(engine, uri, "");
    }

    /** Waits until a response for {@code GET uri} through a route whose backends have the path {@code backendPath} is stored. */
    static void await(CachingEngine engine, String uri, String backendPath) {
        RequestHead request = new RequestHead("GET", URI.create(uri), HeaderFields.empty()).withPathRewrite(new PathRewrite("", backendPath));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.store().variants(engine.keyFor(request)).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, uri + " was stored");
            Thread.onSpinWait();
        }
    }
}
