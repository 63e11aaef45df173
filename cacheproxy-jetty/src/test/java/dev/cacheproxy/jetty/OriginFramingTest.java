package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.CachingEngine;
import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Origins that send what a plain server would not: interim responses and broken status lines. */
final class OriginFramingTest {

    @AutoClose
    private RawOrigin origin;
    @AutoClose
    private ProxyUnderTest proxy;


    @Test
    void interimResponsesFromTheOriginNeverShiftResponsesBetweenRequestsOnOneConnection() throws Exception {
        origin = new RawOrigin(requestLine -> {
            String path = requestLine.split(" ")[1];
            return RawOrigin.Answer.keepAlive("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 102 Processing\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: " + path.length() + "\r\n\r\n" + path);
        });
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().build());

        for (String path : new String[] {"/first", "/second", "/third", "/fourth"}) {
            HttpResponse<String> response = proxy.get(path);
            assertEquals(200, response.statusCode());
            assertEquals(path, response.body(), "each request gets its own response, not the one before it");
        }
        assertEquals(1, origin.connections(), "the origin connection was reused, which is what could shift responses");
    }

    @Test
    void headerValuesReachTheClientExactlyAsTheOriginSentThemEvenWhenAnEarlierOneDifferedOnlyInCase() throws Exception {
        origin = new RawOrigin(requestLine -> {
            String cacheControl = requestLine.contains("/upper") ? "no-store, MaX-aGe=3600" : "no-store, max-age=3600";
            return RawOrigin.Answer.keepAlive("HTTP/1.1 200 OK\r\nCache-Control: " + cacheControl
                    + "\r\nContent-Type: TEXT/Plain\r\nContent-Length: 2\r\n\r\nok");
        });
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().build());

        for (String path : new String[] {"/lower", "/upper", "/lower", "/upper"}) {
            HttpResponse<String> response = proxy.get(path);
            String expected = path.equals("/upper") ? "no-store, MaX-aGe=3600" : "no-store, max-age=3600";
            assertEquals(expected, response.headers().firstValue("Cache-Control").orElseThrow(), path);
        }
        assertEquals(1, origin.connections(), "one origin connection, whose header cache saw both spellings");
    }

    @Test
    void anOriginStatusOutsideTheValidRangeIsABadGateway() throws Exception {
        origin = new RawOrigin(requestLine -> RawOrigin.Answer.thenClose(
                "HTTP/1.1 999 Whatever\r\nContent-Length: 2\r\n\r\nhi"));
        proxy = new ProxyUnderTest(URI.create(origin.url()), CachingEngine.builder().build());

        HttpResponse<String> response = proxy.get("/broken");

        assertEquals(502, response.statusCode());
        // The kind of failure, in a fixed phrase: what the origin sent goes to the log, not to clients.
        assertEquals("Bad Gateway: the origin sent a broken response\n", response.body());
    }
}
