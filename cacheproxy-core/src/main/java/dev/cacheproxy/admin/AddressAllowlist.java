package dev.cacheproxy.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The client addresses the admin endpoint answers: IP addresses and CIDR blocks, IPv4 or IPv6. Empty
 * allows every address (the token still applies). Literals only: a host name here would make every
 * admin request wait on DNS and trust whatever DNS says.
 */
final class AddressAllowlist {

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

    static final AddressAllowlist EVERYONE = new AddressAllowlist(List.of());

    private final List<Block> blocks;

    private AddressAllowlist(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Parses a list such as {@code 127.0.0.1, 10.0.0.0/8, ::1}, separated by commas or whitespace.
     *
     * @throws IllegalArgumentException naming the first entry that is not an IP address or CIDR block
     */
    static AddressAllowlist parse(String list) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : list.strip().split("[\\s,]+")) {
            if (!entry.isEmpty()) {
                blocks.add(block(entry));
            }
        }
        return new AddressAllowlist(blocks);
    }

    /** Whether a client at this address (as the servlet container reports it) may use the endpoint. */
    boolean allows(String remoteAddress) {
        if (blocks.isEmpty()) {
            return true;
        }
        byte[] candidate;
        try {
            candidate = literal(remoteAddress);
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
        return blocks.stream().anyMatch(block -> block.contains(candidate));
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

    /** The bytes of an IP literal; IPv4-mapped IPv6 addresses come back as IPv4. */
    private static byte[] literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (bare.isEmpty() || !bare.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block");
        }
        try {
            return InetAddress.getByName(bare).getAddress();
        } catch (UnknownHostException malformed) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block", malformed);
        }
    }
}
