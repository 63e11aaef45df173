package dev.cacheproxy.store;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;

/**
 * Puts one response into the variants stored under a key, where the key lives: on a distributed cache
 * this runs on the member that owns the key, atomically, so that two proxies storing two variants of
 * one URI at once keep both. An unreadable stored value is replaced. Serializable because distributed
 * providers send entry processors to the owning member.
 */
final class MergeVariant implements EntryProcessor<String, byte[], Void>, Serializable {

    private static final long serialVersionUID = 1L;

    /** The new response, alone in an encoded {@link StoredVariants}. */
    private final byte[] encodedResponse;
    private final int maxVariants;

    MergeVariant(byte[] encodedResponse, int maxVariants) {
        this.encodedResponse = Arrays.copyOf(encodedResponse, encodedResponse.length);
        this.maxVariants = maxVariants;
    }

    @Override
    public Void process(MutableEntry<String, byte[]> entry, Object... arguments) {
        StoredVariants incoming = StoredVariantsCodec.decode(ByteBuffer.wrap(encodedResponse));
        StoredVariants merged = incoming;
        if (entry.exists()) {
            try {
                StoredVariants current = StoredVariantsCodec.decode(ByteBuffer.wrap(entry.getValue()));
                merged = current.with(incoming.responses().get(0), maxVariants);
            } catch (StoredVariantsCodec.UnreadableEntryException unreadable) {
                // A damaged entry holds nothing worth keeping: the new response takes its place.
            }
        }
        entry.setValue(merged == incoming ? encodedResponse : StoredVariantsCodec.encode(merged));
        return null;
    }
}
