package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.jetty.Balance;
import dev.cacheproxy.jetty.HealthCheck;
import dev.cacheproxy.jetty.Route;
import dev.cacheproxy.jetty.Routes;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

final class ExampleFlagsTest {

    @Test
    void noFlagsMeanTheDemoOriginOnLoopbackPort8080() {
        assertEquals(new ExampleFlags(Optional.empty(), 8080, "127.0.0.1", false, 32L << 20, 256L << 20, Optional.empty(), 1L << 30,
                Optional.empty(), Optional.empty(), Optional.empty(), PoolFlags.NONE, new TlsFlags(Optional.empty(), Optional.empty(),
                Optional.empty(), false, Optional.empty(), false, dev.cacheproxy.jetty.OriginTransport.Protocol.HTTP_1_1),
                Duration.ofSeconds(120), ServerLimits.defaults(), java.util.Map.of()), ExampleFlags.parse(List.of()));
    }

    @Test
    void limitsAndTimeoutsAreRead() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--max-connections", "500", "--client-idle-timeout", "5s",
                "--origin-timeout", "1500ms", "--shutdown-grace", "2m"));

        assertEquals(new ServerLimits(500, java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(1500),
                java.time.Duration.ofMinutes(2)), flags.limits());
        assertEquals("1500", flags.servletInitParameters().get("timeout"));
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ExampleFlags.parse(List.of("--origin-timeout", "soon")));
        assertEquals("--origin-timeout must be a duration such as 500ms, 30s or 2m, got soon", bad.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(ServerLimits.defaultMaxConnections() >= 64);
    }

    @Test
    void forwardingFlagsBecomeTheServletsInitParameters() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--trusted-proxies", "10.0.0.0/8,fd00::/8",
                "--strip-request-headers", "X-HTTP-Method-Override", "--forwarded-host", "www.example.com"));

        assertEquals(java.util.Map.of("trustedProxies", "10.0.0.0/8,fd00::/8", "stripRequestHeaders", "X-HTTP-Method-Override",
                "forwardedHost", "www.example.com", "timeout", "60000"), flags.servletInitParameters());
    }

    @Test
    void rememberedMissesCanBeShortenedOrTurnedOff() {
        assertEquals(Duration.ZERO, ExampleFlags.parse(List.of("--remember-misses", "0")).rememberMisses());
        assertEquals(Duration.ofSeconds(30), ExampleFlags.parse(List.of("--remember-misses", "30")).rememberMisses());
        assertThrows(IllegalArgumentException.class,
                () -> ExampleFlags.parse(List.of("--remember-misses", "-1")));
    }

    @Test
    void everyFlagIsRead() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--origin", "http://127.0.0.1:8000", "--port", "0", "--bind", "0.0.0.0"));

        assertEquals(Optional.of(URI.create("http://127.0.0.1:8000")), flags.origin());
        assertEquals(0, flags.port());
        assertEquals("0.0.0.0", flags.bind());
    }

    @Test
    void theAdminTokenAndAllowlistBecomeTheServletsInitParameters() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--admin-token", "0123456789abcdef", "--admin-allow", "127.0.0.1,10.0.0.0/8"));

        assertEquals(java.util.Map.of("adminToken", "0123456789abcdef", "adminAllow", "127.0.0.1,10.0.0.0/8"), flags.adminInitParameters());
        assertEquals(java.util.Map.of(), ExampleFlags.parse(List.of()).adminInitParameters());
    }

    @Test
    void storeSizesAndDirectoryAreRead() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--heap-size", "64MiB", "--offheap-size", "1GiB", "--store-dir", "/var/cache/proxy",
                "--disk-size", "4GiB", "--max-object-size", "512KiB"));

        assertEquals(64L << 20, flags.heapSize());
        assertEquals(1L << 30, flags.offHeapSize());
        assertEquals(Optional.of(Path.of("/var/cache/proxy")), flags.storeDir());
        assertEquals(4L << 30, flags.diskSize());
        assertEquals(Optional.of(512L << 10), flags.maxObjectSize());
    }

    @ParameterizedTest
    @CsvSource({"4096, 4096", "1B, 1", "512KiB, 524288", "64MiB, 67108864", "1GiB, 1073741824", "2TiB, 2199023255552"})
    void sizesAreBytesOrPowersOf1024(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse("--heap-size", text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--heap-size 64MB                            | --heap-size must be a size such as 512KiB, 64MiB or 1GiB, got 64MB (use KiB",
        "--heap-size lots                            | --heap-size must be a size such as",
        "--heap-size 0                               | --heap-size must be at least 1B",
        "--offheap-size 512KiB                       | --offheap-size must be at least 1MiB",
        "--max-object-size 3GiB                      | --max-object-size must be below 2GiB",
        "--disk-size 2GiB                            | --disk-size needs --store-dir",
        "--store-dir /tmp/c --disk-size 128MiB       | --disk-size (128MiB) must be larger than --offheap-size (256MiB)",
        "--heap-size 99999999999TiB                  | --heap-size is too large",
        "--store-dir                                 | --store-dir needs a value",
        "--admin-token short                         | --admin-token: an admin token must be at least 16 characters",
        "--trusted-proxies 10.0.0.0/33               | --trusted-proxies: the prefix of 10.0.0.0/33 must be 0 to 32 bits",
        "--trusted-proxies proxy.example.com         | --trusted-proxies: \"proxy.example.com\" is not an IP address or CIDR block",
        "--strip-request-headers X(Debug)            | --strip-request-headers: \"X(Debug)\" is not a header field name",
        "--forwarded-host http://x                   | --forwarded-host: forwarded host must be a host name",
        "--admin-allow 127.0.0.1                     | --admin-allow needs --admin-token",
    })
    void aBadSizeIsRefusedWithAOneLineReason(String args, String reason) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ExampleFlags.parse(List.of(args.split(" +"))));

        assertTrue(refused.getMessage().startsWith(reason), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--nope                    | unknown flag --nope",
        "--port                    | --port needs a value",
        "--port 70000              | --port must be between 0 and 65535",
        "--port eighty             | --port must be a number",
        "--origin ftp://host/      | --origin must be an http:// or https:// URL",
        "--origin                  | --origin needs a value",
        "--tls-cert c.pem          | --tls-cert needs --tls-key",
        "--tls-key k.pem           | --tls-key needs --tls-cert",
        "--tls-cert c.pem --tls-key k.pem --keystore s.p12 | give either --keystore or --tls-cert and --tls-key, not both",
        "--keystore s.p12 --h2c    | --h2c is HTTP/2 without TLS",
        "--origin-protocol spdy    | --origin-protocol must be h2, h2c or http/1.1, got spdy",
        "--origin-protocol h2      | --origin-protocol h2 needs https:// origins only",
        "--origin https://o:8443 --origin-protocol h2c | --origin-protocol h2c needs http:// origins only",
        "--origin-insecure         | --origin-insecure needs an https:// --origin",
        "--origin http://o --origin-ca ca.pem | --origin-ca needs an https:// --origin",
        "--origin https://o --origin-ca ca.pem --origin-insecure | give either --origin-ca or --origin-insecure, not both",
        "--tls-cert                | --tls-cert needs a value",
        "--route /api              | --route must be PREFIX=URL[,URL...]",
        "--route /api=ftp://h      | --route must be an http:// or https:// URL",
        "--route /api=http://a/,http://b | --route /api: give every URL a path (to replace the prefix) or none",
        "--route api?x=http://a    | --route api?x: a route's host must be",
        "--route /a?x=http://a     | --route /a?x: a route's path prefix",
        "--balance random          | --balance must be round-robin, least-requests or key-hash",
        "--health-path health      | --health-path must begin with /",
        "--health-path /h --health-interval 0s | --health-interval must be at least 1ms",
        "--health-path /h --health-timeout soon | --health-timeout must be a duration such as 500ms, 30s or 2m",
        "--health-path /h --health-status 2xx | --health-status must be a status such as 200 or a range such as 200-399",
        "--health-path /h --health-status 399-200 | --health-status must be a status such as 200 or a range",
        "--health-path /h --health-status 600 | --health-status must be a status such as 200 or a range",
        "--health-path /h --health-passes 0 | --health-passes must be at least 1",
        "--health-path /h --health-fails x | --health-fails must be a number",
        "--health-interval 1s      | --health-interval, --health-timeout, --health-status, --health-passes and --health-fails set up",
        "--origin http://a/v1 --origin http://b/v2 | --origin: the backends of pool origin must share one path",
        "--route /api=http://a/v1,http://b/v2 | --route /api: the backends of pool /api must share one path",
        "--max-conns 0             | --max-conns must be at least 1",
        "--max-queue -1            | --max-queue must be at least 0",
    })
    void aBadFlagOrValueIsRefusedWithAOneLineReason(String args, String reason) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ExampleFlags.parse(List.of(args.split(" "))));

        assertTrue(refused.getMessage().startsWith(reason), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
    }

    @Test
    void tlsAndHttp2FlagsAreRead() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--origin", "https://backend.internal:8443", "--tls-cert", "chain.pem",
                "--tls-key", "key.pem", "--origin-protocol", "h2", "--origin-ca", "ca.pem"));

        assertEquals(new TlsFlags(Optional.of(Path.of("chain.pem")), Optional.of(Path.of("key.pem")), Optional.empty(), false,
                Optional.of(Path.of("ca.pem")), false, dev.cacheproxy.jetty.OriginTransport.Protocol.H2), flags.tls());
        assertTrue(flags.tls().servesTls());
        assertTrue(ExampleFlags.parse(List.of("--h2c")).tls().h2c());
        assertTrue(ExampleFlags.parse(List.of("--origin", "https://o", "--origin-insecure")).tls().originInsecure());
    }

    @Test
    void originsMakeOnePoolAndRoutesTheirOwnWithPrefixesKeptOrReplaced() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--origin", "http://127.0.0.1:8001", "--origin", "http://127.0.0.1:8002",
                "--route", "/api/=http://127.0.0.1:9001/,http://127.0.0.1:9002/", "--route", "/img=http://127.0.0.1:9003",
                "--route", "static.example/=http://127.0.0.1:9004", "--balance", "least-requests", "--health-path", "/healthz",
                "--max-conns", "10", "--max-queue", "0"));

        assertEquals(Optional.of(URI.create("http://127.0.0.1:8001")), flags.origin(), "the first origin");
        Routes routes = flags.pools().routes(URI.create("http://127.0.0.1:1"));
        assertEquals(4, routes.routes().size());
        Route all = routes.routes().get(0);
        assertEquals("/", all.pathPrefix());
        assertEquals(List.of(URI.create("http://127.0.0.1:8001"), URI.create("http://127.0.0.1:8002")), all.pool().backends());
        assertEquals(Balance.LEAST_REQUESTS, all.pool().balance());
        assertEquals("/healthz", all.pool().healthCheck().orElseThrow().path());
        assertEquals(10, all.pool().maxConnectionsPerBackend());
        assertEquals(0, all.pool().maxQueuedPerBackend());
        Route api = routes.routes().get(1);
        assertEquals("/api/", api.pathPrefix());
        assertTrue(api.stripPrefix(), "URLs with a path replace the prefix, as nginx's proxy_pass does");
        assertEquals(2, api.pool().backends().size());
        assertEquals(false, routes.routes().get(2).stripPrefix(), "URLs without a path keep it");
        assertEquals(Optional.of("static.example"), routes.routes().get(3).host());
        assertEquals("/", routes.routes().get(3).pathPrefix());
    }

    @Test
    void healthCheckSettingsGoToEveryPool() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--origin", "http://127.0.0.1:8001", "--route", "/api=http://127.0.0.1:9001",
                "--health-interval", "500ms", "--health-path", "/healthz", "--health-timeout", "1s", "--health-status", "200-204",
                "--health-passes", "1", "--health-fails", "5"));

        HealthCheck expected = new HealthCheck("/healthz", Duration.ofMillis(500), Duration.ofSeconds(1), 200, 204, 1, 5);
        for (Route route : flags.pools().routes(URI.create("http://127.0.0.1:1")).routes()) {
            assertEquals(Optional.of(expected), route.pool().healthCheck(), route.pathPrefix());
        }
        assertEquals(Optional.of(new HealthCheck("/h", Duration.ofSeconds(5), Duration.ofSeconds(2), 204, 204, 2, 3)),
                ExampleFlags.parse(List.of("--health-path", "/h", "--health-status", "204")).pools().healthCheck());
    }

    @Test
    void withoutAnOriginTheDemoOriginTakesWhatNoRouteClaims() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--route", "/api=http://127.0.0.1:9001"));

        assertEquals(Optional.empty(), flags.origin());
        Routes routes = flags.pools().routes(URI.create("http://127.0.0.1:1234"));
        assertEquals(List.of(URI.create("http://127.0.0.1:1234")), routes.routes().get(0).pool().backends());
    }

    @Test
    void helpListsEveryFlag() {
        for (String flag : List.of("--origin", "--route", "--balance", "--health-path", "--health-interval", "--health-timeout",
                "--health-status", "--health-passes", "--health-fails", "--max-conns", "--max-queue", "--port", "--bind",
                "--heap-size", "--offheap-size", "--store-dir", "--disk-size", "--max-object-size", "--max-connections",
                "--client-idle-timeout", "--origin-timeout", "--shutdown-grace", "--tls-cert", "--tls-key", "--keystore", "--h2c",
                "--origin-protocol", "--origin-ca", "--origin-insecure", "--help")) {
            assertTrue(ExampleFlags.USAGE.contains(flag), flag);
        }
    }
}
