package dev.cacheproxy.admin;

import dev.cacheproxy.core.AddressBlocks;

/**
 * The client addresses the admin endpoint answers: IP addresses and CIDR blocks, IPv4 or IPv6. Empty
 * allows every address (the token still applies). Literals only: a host name here would make every
 * admin request wait on DNS and trust whatever DNS says. The matching is {@link AddressBlocks}', the
 * same that decides which proxies are trusted to send forwarding fields.
 */
final class AddressAllowlist {

    static final AddressAllowlist EVERYONE = new AddressAllowlist(AddressBlocks.NONE);

    private final AddressBlocks blocks;

    private AddressAllowlist(AddressBlocks blocks) {
        this.blocks = blocks;
    }

    /**
     * Parses a list such as {@code 127.0.0.1, 10.0.0.0/8, ::1}, separated by commas or whitespace.
     *
     * @throws IllegalArgumentException naming the first entry that is not an IP address or CIDR block
     */
    static AddressAllowlist parse(String list) {
        return new AddressAllowlist(AddressBlocks.parse(list));
    }

    /** Whether a client at this address (as the servlet container reports it) may use the endpoint. */
    boolean allows(String remoteAddress) {
        return blocks.isEmpty() || blocks.contains(remoteAddress);
    }
}
