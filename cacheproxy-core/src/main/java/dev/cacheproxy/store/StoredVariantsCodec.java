package dev.cacheproxy.store;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.ehcache.spi.serialization.Serializer;
import org.ehcache.spi.serialization.SerializerException;

/**
 * Our own binary format for stored responses, versioned so that an entry written by another version
 * is recognised and dropped rather than misread. Not Java serialization: nothing here runs code from
 * the bytes it reads.
 *
 * <pre>
 * magic u32 'CPXY' | version u8 | count u16 | count × response
 * response = status u16 | fieldCount u16 | fieldCount × (string name, string value)
 *            | string variantKey | requestTime (i64 s, i32 ns) | responseTime (i64 s, i32 ns)
 *            | lifetime i64 s | bodyLength i32 | body
 * string   = length i32 | UTF-8 bytes
 * </pre>
 */
final class StoredVariantsCodec implements Serializer<StoredVariants> {

    static final int MAGIC = 0x4350_5859; // "CPXY"
    static final byte VERSION = 1;

    @Override
    public ByteBuffer serialize(StoredVariants variants) {
        byte[][] strings = encodeStrings(variants);
        int size = 4 + 1 + 2;
        int stringIndex = 0;
        for (StoredResponse response : variants.responses()) {
            size += 2 + 2;
            for (int i = 0; i < response.headers().lines().size() * 2 + 1; i++) {
                size += 4 + strings[stringIndex++].length;
            }
            size += 12 + 12 + 8 + 4 + response.body().size();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(MAGIC).put(VERSION).putShort((short) variants.responses().size());
        stringIndex = 0;
        for (StoredResponse response : variants.responses()) {
            out.putShort((short) response.status());
            out.putShort((short) response.headers().lines().size());
            for (int i = 0; i < response.headers().lines().size() * 2 + 1; i++) {
                byte[] string = strings[stringIndex++];
                out.putInt(string.length).put(string);
            }
            putInstant(out, response.requestTime());
            putInstant(out, response.responseTime());
            out.putLong(response.freshnessLifetime().getSeconds());
            out.putInt(response.body().size());
            out.put(response.body().asByteBuffer());
        }
        return out.flip();
    }

    @Override
    public StoredVariants read(ByteBuffer binary) {
        ByteBuffer in = binary.duplicate();
        try {
            if (in.getInt() != MAGIC) {
                throw new SerializerException("not a cacheproxy entry (bad magic number)");
            }
            byte version = in.get();
            if (version != VERSION) {
                throw new SerializerException("cacheproxy entry format version " + version + " is not " + VERSION);
            }
            int count = Short.toUnsignedInt(in.getShort());
            List<StoredResponse> responses = new ArrayList<>(count);
            for (int r = 0; r < count; r++) {
                int status = Short.toUnsignedInt(in.getShort());
                int fieldCount = Short.toUnsignedInt(in.getShort());
                List<HeaderField> fields = new ArrayList<>(fieldCount);
                for (int f = 0; f < fieldCount; f++) {
                    fields.add(new HeaderField(getString(in), getString(in)));
                }
                String variantKey = getString(in);
                Instant requestTime = getInstant(in);
                Instant responseTime = getInstant(in);
                Duration lifetime = Duration.ofSeconds(in.getLong());
                byte[] body = new byte[checkedLength(in, in.getInt())];
                in.get(body);
                responses.add(new StoredResponse(new ResponseHead(status, new HeaderFields(fields)), Body.wrapping(body),
                        variantKey, requestTime, responseTime, lifetime));
            }
            return new StoredVariants(responses);
        } catch (BufferUnderflowException | IllegalArgumentException corrupt) {
            throw new SerializerException("corrupt cacheproxy entry: " + corrupt, corrupt);
        }
    }

    @Override
    public boolean equals(StoredVariants object, ByteBuffer binary) {
        return object.equals(read(binary));
    }

    private static byte[][] encodeStrings(StoredVariants variants) {
        List<byte[]> strings = new ArrayList<>();
        for (StoredResponse response : variants.responses()) {
            for (HeaderField line : response.headers().lines()) {
                strings.add(line.name().getBytes(StandardCharsets.UTF_8));
                strings.add(line.value().getBytes(StandardCharsets.UTF_8));
            }
            strings.add(response.variantKey().getBytes(StandardCharsets.UTF_8));
        }
        return strings.toArray(new byte[0][]);
    }

    private static String getString(ByteBuffer in) {
        byte[] bytes = new byte[checkedLength(in, in.getInt())];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int checkedLength(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("length " + length + " with " + in.remaining() + " bytes left");
        }
        return length;
    }

    private static void putInstant(ByteBuffer out, Instant instant) {
        out.putLong(instant.getEpochSecond()).putInt(instant.getNano());
    }

    private static Instant getInstant(ByteBuffer in) {
        return Instant.ofEpochSecond(in.getLong(), in.getInt());
    }
}
