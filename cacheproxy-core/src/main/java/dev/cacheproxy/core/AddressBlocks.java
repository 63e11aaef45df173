package dev.cacheproxy.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A list of IP addresses and CIDR blocks, IPv4 and IPv6, such as {@code 127.0.0.1, 10.0.0.0/8, ::1,
 * fd00::/8}. Literals only, read by the JDK's {@link InetAddress}: a host name here would make every
 * check wait on DNS and trust whatever DNS says. IPv4-mapped IPv6 addresses match their IPv4 blocks.
 *
 * <p>Immutable and thread safe.
 */
public final class AddressBlocks {

    /** The empty list, which contains no address. */
    public static final AddressBlocks NONE = new AddressBlocks(List.of(), "");

    /** One block: an address and how many of its leading bits must match. */
    private record Block(byte[] address, int prefixBits) {
        boolean contains(byte[] candidate) {
            if (candidate.length != address.length) {
                return false;
            }
            int fullBytes = prefixBits / 8;
            for (int i = 0; i < fullBytes; i++) {
                if (candidate[i] != address[i]) {
                    return false;
                }
            }
            int restBits = prefixBits % 8;
            if (restBits == 0) {
                return true;
            }
            int mask = (0xff << (8 - restBits)) & 0xff;
            return (candidate[fullBytes] & mask) == (address[fullBytes] & mask);
        }
    }

    private final List<Block> blocks;
    private final String text;

    private AddressBlocks(List<Block> blocks, String text) {
        this.blocks = List.copyOf(blocks);
        this.text = text;
    }

    /**
     * Parses a list separated by commas or whitespace; an empty or blank list is {@link #NONE}.
     *
     * @param list addresses and CIDR blocks
     * @return the blocks
     * @throws IllegalArgumentException naming the first entry that is not an IP address or CIDR block
     */
    public static AddressBlocks parse(String list) {
        Objects.requireNonNull(list, "list");
        List<Block> blocks = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (String entry : list.strip().split("[\\s,]+")) {
            if (!entry.isEmpty()) {
                blocks.add(block(entry));
                entries.add(entry);
            }
        }
        return blocks.isEmpty() ? NONE : new AddressBlocks(blocks, String.join(", ", entries));
    }

    /**
     * Whether the list has no entry.
     *
     * @return {@code true} without an entry
     */
    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /**
     * Whether this address (as a servlet container reports it, e.g. {@code 10.1.2.3} or {@code [::1]}) is in a block.
     *
     * @param address an IP address
     * @return {@code true} when a block holds it
     */
    public boolean contains(String address) {
        if (blocks.isEmpty() || address == null) {
            return false;
        }
        byte[] candidate;
        try {
            candidate = literal(address);
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
        for (Block block : blocks) {
            if (block.contains(candidate)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }

    private static Block block(String entry) {
        int slash = entry.indexOf('/');
        byte[] address = literal(slash < 0 ? entry : entry.substring(0, slash));
        int maxBits = address.length * 8;
        int bits = maxBits;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException notANumber) {
                bits = -1;
            }
            if (bits < 0 || bits > maxBits) {
                throw new IllegalArgumentException("the prefix of " + entry + " must be 0 to " + maxBits + " bits");
            }
        }
        return new Block(address, bits);
    }

    /** The bytes of an IP literal; IPv4-mapped IPv6 addresses come back as IPv4 (the JDK does that). */
    private static byte[] literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        // Only the shapes of IP literals (dotted quad, or with colons): InetAddress would otherwise look a
        // host name such as "cafe" up in DNS, or read "123" as 0.0.0.123.
        boolean ipv4 = bare.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean ipv6 = bare.contains(":") && bare.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block");
        }
        try {
            return InetAddress.getByName(bare).getAddress();
        } catch (UnknownHostException malformed) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block", malformed);
        }
    }
}
