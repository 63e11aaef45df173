package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;

/** The README's Tomcat filter demo: a miss, then a hit with the same body; no-store pages are never cached. */
final class TomcatFilterDemoSmokeTest {

    @Test
    void theHelloPageIsAMissThenAHitAndOtherPagesAreNeverCached() throws Exception {
        Tomcat tomcat = TomcatFilterDemo.start("127.0.0.1", 0);
        try {
            String url = "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
            HttpClient client = HttpClient.newHttpClient();

            HttpResponse<String> miss = client.send(HttpRequest.newBuilder(URI.create(url + "/hello")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> hit = client.send(HttpRequest.newBuilder(URI.create(url + "/hello")).build(), HttpResponse.BodyHandlers.ofString());
            client.send(HttpRequest.newBuilder(URI.create(url + "/other")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> otherAgain = client.send(HttpRequest.newBuilder(URI.create(url + "/other")).build(), HttpResponse.BodyHandlers.ofString());

            assertTrue(miss.headers().firstValue("Cache-Status").orElseThrow().contains("fwd=uri-miss"));
            assertTrue(hit.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
            assertTrue(hit.headers().firstValue("Age").isPresent());
            assertEquals(miss.body(), hit.body());
            assertTrue(hit.body().contains("request #1"), hit.body());
            assertTrue(otherAgain.body().contains("request #3"), otherAgain.body());
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }
}
