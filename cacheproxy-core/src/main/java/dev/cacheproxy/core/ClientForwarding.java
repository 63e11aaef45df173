package dev.cacheproxy.core;

import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Which request fields about forwarding a client may send on, and which the proxy sends itself. Fields
 * such as {@code X-Forwarded-Host} or {@code X-Original-URL} are not part of the cache key, yet an origin
 * may build links, redirects or routes from them: from any client they would poison what everyone else
 * gets. So by default every field of the {@linkplain #FORWARDING_FIELDS forwarding family} is removed from
 * client requests, and the proxy sends its own {@code Forwarded} and {@code X-Forwarded-For},
 * {@code -Proto} and {@code -Host}: the client's real address, the scheme it used, and a host the proxy
 * vouches for. A request from a {@linkplain Builder#trustedProxies trusted proxy} keeps the family, and
 * the proxy appends to it (as Tomcat's {@code RemoteIpValve} and Traefik's trusted IPs do). Fields named
 * with {@link Builder#stripRequestHeaders} are removed from every request.
 *
 * <p>Both integrations use it: {@code CachingProxyServlet} (and its {@code CachingHandler}) on the request
 * to the origin, {@code CachingFilter} on the request its servlet sees. Immutable and thread safe.
 */
public final class ClientForwarding {

    /** The forwarding family: fields that say where a request came from, or what it was for. */
    public static final List<String> FORWARDING_FIELDS = List.of(
            "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port",
            "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Forwarded-Scheme", "X-Forwarded-Ssl", "X-Forwarded-Uri",
            "X-Real-IP", "X-Client-IP", "True-Client-IP", "X-Cluster-Client-IP", "X-Host", "X-Original-Host",
            "X-Original-URL", "X-Rewrite-URL", "X-Original-URI", "Front-End-Https", "X-Url-Scheme", "X-Proxy-URL");

    private static final Set<String> FAMILY = lowerCase(FORWARDING_FIELDS);
    private static final ClientForwarding DEFAULTS = builder().build();

    private final AddressBlocks trustedProxies;
    private final Set<String> stripped;
    private final Optional<String> forwardedHost;
    private final Set<String> removedFromUntrusted;

    private ClientForwarding(Builder builder) {
        this.trustedProxies = builder.trustedProxies;
        this.stripped = Set.copyOf(builder.stripped);
        this.forwardedHost = builder.forwardedHost;
        Set<String> removed = new LinkedHashSet<>(FAMILY);
        removed.addAll(stripped);
        this.removedFromUntrusted = Set.copyOf(removed);
    }

    /**
     * The default: no trusted proxy, nothing more stripped, the host the proxy listens on as the forwarded host.
     *
     * @return the default configuration
     */
    public static ClientForwarding defaults() {
        return DEFAULTS;
    }

    /** The names of the settings {@link #fromSettings} reads, as the proxy servlet's init-parameters spell them. */
    public static final List<String> SETTINGS = List.of("trustedProxies", "stripRequestHeaders", "forwardedHost");

    /**
     * The configuration these settings describe, or empty when none is set: the one validation behind
     * the proxy servlet's init-parameters, the filter's and the example's command line.
     *
     * @param setting a setting by its name in {@link #SETTINGS}, null when absent
     * @return the configuration, or empty
     * @throws IllegalArgumentException naming the setting and its bad value
     */
    public static Optional<ClientForwarding> fromSettings(UnaryOperator<String> setting) {
        Builder builder = builder();
        boolean any = false;
        for (String name : SETTINGS) {
            String value = setting.apply(name);
            if (value == null) {
                continue;
            }
            any = true;
            try {
                switch (name) {
                    case "trustedProxies" -> builder.trustedProxies(value);
                    case "stripRequestHeaders" -> builder.stripRequestHeaders(value);
                    default -> builder.forwardedHost(value);
                }
            } catch (IllegalArgumentException badValue) {
                throw new IllegalArgumentException(name + ": " + badValue.getMessage(), badValue);
            }
        }
        return any ? Optional.of(builder.build()) : Optional.empty();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a request from this address (the peer of the connection) may keep its forwarding fields.
     *
     * @param remoteAddress the connection's peer
     * @return {@code true} for a trusted proxy
     */
    public boolean trusts(String remoteAddress) {
        return trustedProxies.contains(remoteAddress);
    }

    /**
     * The lower-case names of the fields removed from a request from this address.
     *
     * @param remoteAddress the connection's peer
     * @return the field names
     */
    public Set<String> removedFrom(String remoteAddress) {
        return trusts(remoteAddress) ? stripped : removedFromUntrusted;
    }

    /**
     * The client's fields as they may go on from this address: the ones {@link #removedFrom} names taken out.
     *
     * @param clientFields  the client's fields
     * @param remoteAddress the connection's peer
     * @return the fields that may go on
     */
    public HeaderFields inbound(HeaderFields clientFields, String remoteAddress) {
        Set<String> removed = removedFrom(remoteAddress);
        for (HeaderField line : clientFields.lines()) {
            if (removed.contains(line.lowerCaseName())) {
                return clientFields.toBuilder().removeIf(field -> removed.contains(field.lowerCaseName())).build();
            }
        }
        return clientFields;
    }

    /**
     * The {@code X-Forwarded-For}, {@code -Proto} and {@code -Host} fields the proxy sends to the origin.
     *
     * @param inbound        the client's fields after {@link #inbound}
     * @param remoteAddress  the address of the connection's peer
     * @param secure         whether the client's connection was TLS
     * @param localAuthority the address and port the proxy received the request on, e.g. {@code 10.0.0.5:8080}
     * @return the fields to send on
     */
    public HeaderFields proxyFields(HeaderFields inbound, String remoteAddress, boolean secure, String localAuthority) {
        boolean trusted = trusts(remoteAddress);
        HeaderFields.Builder fields = HeaderFields.builder();
        Optional<String> earlierFor = trusted ? inbound.combined("X-Forwarded-For") : Optional.empty();
        fields.add("X-Forwarded-For", earlierFor.map(chain -> chain + ", " + remoteAddress).orElse(remoteAddress));
        fields.add("X-Forwarded-Proto", (trusted ? inbound.first("X-Forwarded-Proto") : Optional.<String>empty())
                .orElse(secure ? "https" : "http"));
        fields.add("X-Forwarded-Host", (trusted ? inbound.first("X-Forwarded-Host") : Optional.<String>empty())
                .orElse(forwardedHost(localAuthority)));
        return fields.build();
    }

    /**
     * The host the proxy vouches for, for {@code X-Forwarded-Host} and {@code Forwarded: host=}: the one
     * configured, else the address the request arrived on. Never the client's {@code Host}: that is not
     * in the cache key either.
     *
     * @param localAuthority the address and port the request arrived on
     * @return the host
     */
    public String forwardedHost(String localAuthority) {
        return forwardedHost.orElse(localAuthority);
    }

    @Override
    public String toString() {
        return "ClientForwarding[trustedProxies=" + trustedProxies + ", stripped=" + stripped
                + ", forwardedHost=" + forwardedHost.orElse("(the local address)") + "]";
    }

    private static Set<String> lowerCase(List<String> names) {
        Set<String> lower = new LinkedHashSet<>();
        names.forEach(name -> lower.add(name.toLowerCase(Locale.ROOT)));
        return Set.copyOf(lower);
    }

    /** Configures a {@link ClientForwarding}; each method validates its value and names a bad one. Not thread safe. */
    public static final class Builder {
        private AddressBlocks trustedProxies = AddressBlocks.NONE;
        private final Set<String> stripped = new LinkedHashSet<>();
        private Optional<String> forwardedHost = Optional.empty();

        private Builder() {
        }

        /**
         * The proxies in front of this one whose forwarding fields are kept and appended to: IP addresses
         * and CIDR blocks, IPv4 or IPv6, separated by commas or spaces, e.g. {@code 10.0.0.0/8, fd00::/8}.
         * Default none: every client's forwarding fields are removed.
         *
         * @param addressesAndCidrBlocks addresses and CIDR blocks
         * @return this builder
         * @throws IllegalArgumentException naming the first entry that is not an address or block
         */
        public Builder trustedProxies(String addressesAndCidrBlocks) {
            this.trustedProxies = AddressBlocks.parse(Objects.requireNonNull(addressesAndCidrBlocks, "addressesAndCidrBlocks"));
            return this;
        }

        /**
         * More request fields to remove from every request, trusted or not, separated by commas or spaces,
         * e.g. {@code X-HTTP-Method-Override, X-Debug}.
         *
         * @param names field names
         * @return this builder
         * @throws IllegalArgumentException naming an entry that is not a field name, or one the cache needs
         */
        public Builder stripRequestHeaders(String names) {
            Objects.requireNonNull(names, "names");
            List<String> parsed = new ArrayList<>();
            for (String name : names.strip().split("[\\s,]+")) {
                if (name.isEmpty()) {
                    continue;
                }
                if (!name.matches("[A-Za-z0-9!#$%&'*+\\-.^_`|~]+")) {
                    throw new IllegalArgumentException("\"" + name + "\" is not a header field name");
                }
                if (name.equalsIgnoreCase("Host")) {
                    throw new IllegalArgumentException("Host cannot be stripped: every HTTP/1.1 request needs it");
                }
                parsed.add(name.toLowerCase(Locale.ROOT));
            }
            stripped.addAll(parsed);
            return this;
        }

        /**
         * The host name (and port, if not the scheme's) clients use to reach the proxy, e.g.
         * {@code www.example.com}: sent as {@code X-Forwarded-Host} and {@code Forwarded: host=} so that an
         * origin builds links with it. Default the address and port the request arrived on.
         *
         * @param hostAndPort a host, optionally with a port
         * @return this builder
         * @throws IllegalArgumentException if it is not a host, optionally with a port
         */
        public Builder forwardedHost(String hostAndPort) {
            Objects.requireNonNull(hostAndPort, "hostAndPort");
            String value = hostAndPort.strip();
            if (!value.matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("forwarded host must be a host name or address with an optional port, got \""
                        + hostAndPort + "\"");
            }
            this.forwardedHost = Optional.of(value);
            return this;
        }

        /**
         * The configuration.
         *
         * @return the configuration
         */
        public ClientForwarding build() {
            return new ClientForwarding(this);
        }
    }
}
