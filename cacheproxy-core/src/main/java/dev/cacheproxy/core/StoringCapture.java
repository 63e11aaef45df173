package dev.cacheproxy.core;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a body as it streams to the client and stores it when it has ended as framed. Capture stops
 * (and nothing is stored) once the body grows past the maximum object size, when its length differs
 * from the {@code Content-Length} the origin announced, or when it is abandoned.
 */
final class StoringCapture implements BodyCapture {

    private static final Logger LOG = LoggerFactory.getLogger(StoringCapture.class);
    private static final int INITIAL_CAPACITY = 8 * 1024;

    private final GuardedStore store;
    private final CacheKey key;
    private final ResponseHead head;
    private final String variantKey;
    private final Instant requestTime;
    private final Instant responseTime;
    private final Duration freshnessLifetime;
    private final int maxObjectSize;
    private final Optional<Long> announcedLength;
    private final EngineCounters counters;

    private byte[] buffer;
    private int size;
    private boolean done;

    StoringCapture(GuardedStore store, CacheKey key, ResponseHead head, String variantKey, Instant requestTime,
                   Instant responseTime, Duration freshnessLifetime, int maxObjectSize, EngineCounters counters) {
        this.store = store;
        this.counters = counters;
        this.key = key;
        this.head = head;
        this.variantKey = variantKey;
        this.requestTime = requestTime;
        this.responseTime = responseTime;
        this.freshnessLifetime = freshnessLifetime;
        this.maxObjectSize = maxObjectSize;
        this.announcedLength = contentLength(head);
        int initial = announcedLength.filter(length -> length <= maxObjectSize).map(Long::intValue).orElse(INITIAL_CAPACITY);
        if (announcedLength.isPresent() && announcedLength.get() > maxObjectSize) {
            stop("Content-Length " + announcedLength.get() + " is over the maximum object size " + maxObjectSize, counters.skippedTooBig);
        } else {
            this.buffer = new byte[Math.min(initial, maxObjectSize)];
        }
    }

    @Override
    public void append(ByteBuffer chunk) {
        if (done) {
            return;
        }
        int length = chunk.remaining();
        if ((long) size + length > maxObjectSize) {
            stop("body is over the maximum object size " + maxObjectSize, counters.skippedTooBig);
            return;
        }
        if (size + length > buffer.length) {
            int grown = (int) Math.min(maxObjectSize, Math.max((long) buffer.length * 2, (long) size + length));
            buffer = Arrays.copyOf(buffer, grown);
        }
        chunk.duplicate().get(buffer, size, length);
        size += length;
    }

    @Override
    public void complete() {
        if (done) {
            return;
        }
        if (announcedLength.isPresent() && announcedLength.get() != size) {
            stop("body of " + size + " bytes does not match Content-Length " + announcedLength.get(), counters.skippedIncomplete);
            return;
        }
        byte[] bytes = size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
        done = true;
        buffer = null;
        StoredResponse response = new StoredResponse(head, Body.wrapping(bytes), variantKey, requestTime, responseTime, freshnessLifetime);
        if (store.store(key, response)) {
            counters.stored.increment();
            // TRACE: the exchange's own DEBUG line already said "stored".
            LOG.trace("stored {} ({} bytes)", key, size);
        }
    }

    @Override
    public boolean isCapturing() {
        return !done;
    }

    @Override
    public void abandon(String reason) {
        stop("body incomplete: " + reason, counters.skippedIncomplete);
    }

    /** Stops capturing; the first reason is logged (the exchange's line said "stored" before the body came) and counted. */
    private void stop(String reason, LongAdder skipped) {
        if (!done) {
            skipped.increment();
            LOG.debug("not storing {}: {}", key, reason);
        }
        done = true;
        buffer = null;
    }

    /** The announced length, when the origin sent one valid {@code Content-Length}. */
    private static Optional<Long> contentLength(ResponseHead head) {
        Optional<String> value = head.headers().first("Content-Length");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            long length = Long.parseLong(value.get().strip());
            return length >= 0 ? Optional.of(length) : Optional.empty();
        } catch (NumberFormatException malformed) {
            return Optional.empty();
        }
    }
}
