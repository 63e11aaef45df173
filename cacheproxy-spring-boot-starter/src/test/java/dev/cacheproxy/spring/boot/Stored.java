package dev.cacheproxy.spring.boot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.HeaderFields;
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
        RequestHead request = new RequestHead("GET", URI.create(uri), HeaderFields.empty());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.store().variants(engine.keyFor(request)).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, uri + " was stored");
            Thread.onSpinWait();
        }
    }
}
