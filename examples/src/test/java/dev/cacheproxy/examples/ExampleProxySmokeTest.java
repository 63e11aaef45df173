package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** The example proxy in front of its demo origin: the README's first exchange, miss then hit. */
final class ExampleProxySmokeTest {

    @Test
    void theDemoPageIsAMissThenAHitAndPrivatePagesAreNeverShared() throws Exception {
        try (DemoOrigin demo = new DemoOrigin()) {
            Server server = ExampleProxy.start(URI.create(demo.url()), "127.0.0.1", 0);
            try {
                String proxy = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                HttpClient client = HttpClient.newHttpClient();

                HttpResponse<String> miss = client.send(HttpRequest.newBuilder(URI.create(proxy + "/hello")).build(), HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> hit = client.send(HttpRequest.newBuilder(URI.create(proxy + "/hello")).build(), HttpResponse.BodyHandlers.ofString());
                client.send(HttpRequest.newBuilder(URI.create(proxy + "/private")).build(), HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> privateAgain = client.send(HttpRequest.newBuilder(URI.create(proxy + "/private")).build(), HttpResponse.BodyHandlers.ofString());

                assertTrue(miss.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
                assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
                assertEquals(miss.body(), hit.body());
                assertTrue(hit.body().contains("request #1"));
                assertTrue(privateAgain.body().contains("request #3"), privateAgain.body());
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void twoOriginsMakeAPoolAndARouteWithAPathReplacesItsPrefix() throws Exception {
        try (DemoOrigin first = new DemoOrigin(); DemoOrigin second = new DemoOrigin(); DemoOrigin api = new DemoOrigin()) {
            ExampleFlags flags = ExampleFlags.parse(java.util.List.of("--origin", first.url(), "--origin", second.url(),
                    "--route", "/api/=" + api.url() + "/"));
            Server server = ExampleProxy.start(flags.pools().routes(null), "127.0.0.1", 0,
                    dev.cacheproxy.core.CachingEngine.builder().build(), java.util.Map.of(), true);
            try {
                String proxy = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                HttpClient client = HttpClient.newHttpClient();
                java.util.List<String> bodies = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    bodies.add(client.send(HttpRequest.newBuilder(URI.create(proxy + "/page" + i)).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                }
                HttpResponse<String> routed = client.send(HttpRequest.newBuilder(URI.create(proxy + "/api/users")).build(),
                        HttpResponse.BodyHandlers.ofString());

                assertEquals(2, bodies.stream().filter(body -> body.contains("request #1 ")).count(),
                        "each origin of the pool answered its first request: " + bodies);
                assertTrue(routed.body().contains("request #1 ") && routed.body().contains(" for /users"), routed.body());
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void withAnAdminTokenCurlsPurgePurgesThatUrl() throws Exception {
        String token = "0123456789abcdef";
        try (DemoOrigin demo = new DemoOrigin()) {
            Server server = ExampleProxy.start(URI.create(demo.url()), "127.0.0.1", 0, dev.cacheproxy.core.CachingEngine.builder().build(),
                    ExampleFlags.parse(java.util.List.of("--admin-token", token)).adminInitParameters());
            try {
                String proxy = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                HttpClient client = HttpClient.newHttpClient();
                client.send(HttpRequest.newBuilder(URI.create(proxy + "/hello")).build(), HttpResponse.BodyHandlers.ofString());

                HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(proxy + "/hello"))
                        .method("PURGE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> purged = client.send(HttpRequest.newBuilder(URI.create(proxy + "/hello"))
                        .header("Authorization", "Bearer " + token)
                        .method("PURGE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> after = client.send(HttpRequest.newBuilder(URI.create(proxy + "/hello")).build(),
                        HttpResponse.BodyHandlers.ofString());

                assertEquals(401, refused.statusCode());
                assertEquals(200, purged.statusCode());
                assertTrue(purged.body().contains("\"entries\":1"), purged.body());
                assertTrue(after.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
            } finally {
                server.stop();
            }
        }
    }
}
