package dev.cacheproxy.store;

import java.nio.ByteBuffer;
import org.ehcache.spi.serialization.Serializer;

/** Our codec, with one byte of the body damaged on the way out for bodies that say POISON: an entry read back corrupt. */
final class DamagingCodec implements Serializer<StoredVariants> {
    private final StoredVariantsCodec codec = new StoredVariantsCodec();

    @Override
    public ByteBuffer serialize(StoredVariants variants) {
        ByteBuffer bytes = codec.serialize(variants);
        if (variants.responses().get(0).body().utf8().equals("POISON")) {
            bytes.put(bytes.limit() - 1, (byte) '!');
        }
        return bytes;
    }

    @Override
    public StoredVariants read(ByteBuffer binary) {
        return codec.read(binary);
    }

    @Override
    public boolean equals(StoredVariants object, ByteBuffer binary) {
        return codec.equals(object, binary);
    }
}
