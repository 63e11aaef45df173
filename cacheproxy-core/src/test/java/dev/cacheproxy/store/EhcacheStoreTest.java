package dev.cacheproxy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.ehcache.spi.serialization.SerializerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class EhcacheStoreTest {

    private static final CacheKey KEY = CacheKey.of(URI.create("http://origin.test/a"));
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private final EhcacheStore store = EhcacheStore.builder().heapEntries(10).offHeapMegabytes(4).maxVariantsPerKey(2).build();

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aStoredResponseIsFoundUnderItsKeyAndNothingElse() {
        StoredResponse response = response("gzip", "zipped", T0);
        store.store(KEY, response);

        assertEquals(List.of(response), store.variants(KEY));
        assertEquals(List.of(), store.variants(CacheKey.of(URI.create("http://origin.test/b"))));
    }

    @Test
    void aNewResponseReplacesItsOwnVariantAndKeepsTheOthers() {
        store.store(KEY, response("gzip", "old zipped", T0));
        store.store(KEY, response("br", "brotli", T0.plusSeconds(1)));
        store.store(KEY, response("gzip", "new zipped", T0.plusSeconds(2)));

        List<StoredResponse> variants = store.variants(KEY);
        assertEquals(2, variants.size());
        assertTrue(variants.stream().anyMatch(v -> v.body().utf8().equals("new zipped")));
        assertTrue(variants.stream().anyMatch(v -> v.body().utf8().equals("brotli")));
    }

    @Test
    void theOldestVariantGoesWhenAKeyHasTooMany() {
        store.store(KEY, response("a", "first", T0));
        store.store(KEY, response("b", "second", T0.plusSeconds(1)));
        store.store(KEY, response("c", "third", T0.plusSeconds(2)));

        assertEquals(List.of("second", "third"), store.variants(KEY).stream().map(v -> v.body().utf8()).toList());
    }

    @Test
    void removeAndClearForgetWhatWasStored() {
        CacheKey other = CacheKey.of(URI.create("http://origin.test/other"));
        store.store(KEY, response("a", "one", T0));
        store.store(other, response("a", "two", T0));

        store.remove(KEY);
        assertEquals(List.of(), store.variants(KEY));
        assertEquals(1, store.variants(other).size());

        store.clear();
        assertEquals(List.of(), store.variants(other));
    }

    @Test
    void theCodecReadsBackExactlyWhatItWrote() {
        StoredVariantsCodec codec = new StoredVariantsCodec();
        StoredVariants variants = new StoredVariants(List.of(response("gzip", "zipped \u00e9", T0), response("br", "", T0.plusNanos(5))));

        assertEquals(variants, codec.read(codec.serialize(variants)));
    }

    @Test
    void anEntryFromAnotherFormatVersionOrCorruptIsRefused() {
        StoredVariantsCodec codec = new StoredVariantsCodec();
        ByteBuffer bytes = codec.serialize(new StoredVariants(List.of(response("gzip", "zipped", T0))));

        ByteBuffer otherVersion = ByteBuffer.allocate(bytes.remaining()).put(bytes.duplicate()).flip();
        otherVersion.put(4, (byte) 99);
        assertThrows(SerializerException.class, () -> codec.read(otherVersion));

        ByteBuffer truncated = bytes.duplicate().limit(bytes.remaining() - 3);
        assertThrows(SerializerException.class, () -> codec.read(truncated));

        assertThrows(SerializerException.class, () -> codec.read(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7})));
    }

    private static StoredResponse response(String encoding, String body, Instant time) {
        ResponseHead head = new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=60", "Vary", "Accept-Encoding",
                "Content-Encoding", encoding));
        return new StoredResponse(head, Body.ofUtf8(body), "accept-encoding=" + encoding, time, time, Duration.ofSeconds(60));
    }
}
