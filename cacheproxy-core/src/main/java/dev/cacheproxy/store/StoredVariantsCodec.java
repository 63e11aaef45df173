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
import java.util.zip.CRC32;
import org.ehcache.spi.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cacheproxy's own binary format for stored responses, versioned and checksummed so that an entry
 * written by another version, or damaged on disk, is recognised and dropped rather than misread. Not
 * Java serialization: nothing here runs code from the bytes it reads.
 *
 * <pre>
 * magic u32 'CPXY' | version u8 | crc32 u32 of the payload | payload
 * payload  = count u16 | count × response
 * response = status u16 | fieldCount u16 | fieldCount × (string name, string value)
 *            | string variantKey | requestTime instant | responseTime instant | lifetime (i64 s, i32 ns)
 *            | bodyLength i32 | body
 * string   = length i32 | UTF-8 bytes
 * instant  = epoch second i64 | nano i32
 * </pre>
 *
 * <p>As an Ehcache {@link Serializer}, {@link #read} never throws on bad bytes: it returns a value the
 * stores recognise as unreadable, count and remove. Private to the stores: every cache they open or are
 * given is configured with it by {@link EhcacheStore}. Thread safe; its only state is a shared table of
 * recently read field strings ({@link FieldStrings}), which changes no result.
 */
final class StoredVariantsCodec implements Serializer<StoredVariants> {

    static final int MAGIC = 0x4350_5859; // "CPXY"
    static final byte VERSION = 2;
    static final int HEADER_SIZE = 4 + 1 + 4;

    private static final Logger LOG = LoggerFactory.getLogger(StoredVariantsCodec.class);
    /** Field names and values repeat from entry to entry: read from the off-heap or disk tier, they are shared. */
    private static final FieldStrings STRINGS = new FieldStrings();

    /** A codec. */
    StoredVariantsCodec() {
    }

    /** Thrown by {@link #decode} for bytes that are not a readable entry of this format version. */
    static final class UnreadableEntryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableEntryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public ByteBuffer serialize(StoredVariants variants) {
        return ByteBuffer.wrap(encode(variants));
    }

    @Override
    public StoredVariants read(ByteBuffer binary) {
        try {
            return decode(binary);
        } catch (UnreadableEntryException unreadable) {
            LOG.debug("dropping an unreadable cache entry: {}", unreadable.getMessage());
            return StoredVariants.UNREADABLE;
        }
    }

    @Override
    public boolean equals(StoredVariants object, ByteBuffer binary) {
        return object.equals(read(binary));
    }

    /** The encoded size in bytes, without encoding: what statistics count as an entry's bytes. */
    static long encodedSize(StoredVariants variants) {
        long size = HEADER_SIZE + 2;
        for (StoredResponse response : variants.responses()) {
            size += 2 + 2;
            for (HeaderField line : response.headers().lines()) {
                size += 4 + utf8Length(line.name()) + 4 + utf8Length(line.value());
            }
            size += 4 + utf8Length(response.variantKey()) + 12 + 12 + 12 + 4 + response.body().size();
        }
        return size;
    }

    /** The entry in this format. Throws {@link IllegalArgumentException} for one that does not fit it (too many variants or fields). */
    static byte[] encode(StoredVariants variants) {
        long size = encodedSize(variants);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a cache entry of " + size + " bytes is too large to encode");
        }
        if (variants.responses().size() > 0xFFFF) {
            throw new IllegalArgumentException("too many variants to encode: " + variants.responses().size());
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.putInt(MAGIC).put(VERSION).putInt(0);
        out.putShort((short) variants.responses().size());
        for (StoredResponse response : variants.responses()) {
            List<HeaderField> lines = response.headers().lines();
            if (lines.size() > 0xFFFF) {
                throw new IllegalArgumentException("too many header fields to encode: " + lines.size());
            }
            out.putShort((short) response.status());
            out.putShort((short) lines.size());
            for (HeaderField line : lines) {
                putString(out, line.name());
                putString(out, line.value());
            }
            putString(out, response.variantKey());
            putInstant(out, response.requestTime());
            putInstant(out, response.responseTime());
            out.putLong(response.freshnessLifetime().getSeconds()).putInt(response.freshnessLifetime().getNano());
            out.putInt(response.body().size());
            out.put(response.body().asByteBuffer());
        }
        byte[] bytes = out.array();
        CRC32 crc = new CRC32();
        crc.update(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE);
        ByteBuffer.wrap(bytes).putInt(5, (int) crc.getValue());
        return bytes;
    }

    /** The entry these bytes hold; the buffer's position is not moved. */
    static StoredVariants decode(ByteBuffer binary) {
        ByteBuffer in = binary.duplicate();
        try {
            if (in.getInt() != MAGIC) {
                throw new UnreadableEntryException("not a cacheproxy entry (bad magic number)", null);
            }
            byte version = in.get();
            if (version != VERSION) {
                throw new UnreadableEntryException("cacheproxy entry format version " + version + " is not " + VERSION, null);
            }
            int expectedCrc = in.getInt();
            CRC32 crc = new CRC32();
            crc.update(in.duplicate());
            if ((int) crc.getValue() != expectedCrc) {
                throw new UnreadableEntryException("corrupt cacheproxy entry (checksum mismatch)", null);
            }
            int count = Short.toUnsignedInt(in.getShort());
            List<StoredResponse> responses = new ArrayList<>(count);
            for (int r = 0; r < count; r++) {
                int status = Short.toUnsignedInt(in.getShort());
                int fieldCount = Short.toUnsignedInt(in.getShort());
                List<HeaderField> fields = new ArrayList<>(fieldCount);
                for (int f = 0; f < fieldCount; f++) {
                    fields.add(STRINGS.line(getString(in), getString(in)));
                }
                String variantKey = getString(in);
                Instant requestTime = getInstant(in);
                Instant responseTime = getInstant(in);
                Duration lifetime = Duration.ofSeconds(in.getLong(), in.getInt());
                byte[] body = new byte[checkedLength(in, in.getInt())];
                in.get(body);
                responses.add(new StoredResponse(new ResponseHead(status, new HeaderFields(fields)), Body.wrapping(body),
                        variantKey, requestTime, responseTime, lifetime));
            }
            if (responses.isEmpty() || in.hasRemaining()) {
                throw new UnreadableEntryException("corrupt cacheproxy entry (" + responses.size() + " responses, "
                        + in.remaining() + " bytes left over)", null);
            }
            return new StoredVariants(responses);
        } catch (BufferUnderflowException | IllegalArgumentException | java.time.DateTimeException | ArithmeticException corrupt) {
            throw new UnreadableEntryException("corrupt cacheproxy entry: " + corrupt, corrupt);
        }
    }

    private static int utf8Length(String text) {
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                length += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                length += 1; // a lone surrogate is encoded as '?'
            } else {
                length += 3;
            }
        }
        return length;
    }

    private static void putString(ByteBuffer out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.putInt(bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer in) {
        return STRINGS.read(in, checkedLength(in, in.getInt()));
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
