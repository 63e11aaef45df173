package dev.cacheproxy.jetty;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * How a test client reaches a server: HTTP/1.1 in clear or over TLS, HTTP/2 over TLS (ALPN), or h2c
 * with prior knowledge. Servers get two connectors that offer them all, as a real deployment would:
 * one in clear text (HTTP/1.1 and h2c), one over TLS (h2 and HTTP/1.1 by ALPN).
 */
enum Wire {
    HTTP_1_1(false, HttpVersion.HTTP_1_1),
    HTTPS_1_1(true, HttpVersion.HTTP_1_1),
    H2(true, HttpVersion.HTTP_2),
    H2C(false, HttpVersion.HTTP_2);

    final boolean tls;
    final HttpVersion version;

    Wire(boolean tls, HttpVersion version) {
        this.tls = tls;
        this.version = version;
    }

    String scheme() {
        return tls ? "https" : "http";
    }

    /** Adds the clear-text connector (HTTP/1.1, and h2c with prior knowledge or by upgrade) on 127.0.0.1, any port. */
    static ServerConnector addClearConnector(Server server) {
        HttpConfiguration http = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        return connector;
    }

    /** Adds the TLS connector (h2, HTTP/1.1 when the client offers no ALPN or only that) on 127.0.0.1, any port. */
    static ServerConnector addTlsConnector(Server server, SslContextFactory.Server tls) {
        return addTlsConnector(server, tls, true);
    }

    /**
     * Adds a TLS connector; {@code checkHost} makes it refuse (400) a request whose {@code Host} its
     * certificate does not cover, as Jetty does by default.
     */
    static ServerConnector addTlsConnector(Server server, SslContextFactory.Server tls, boolean checkHost) {
        HttpConfiguration https = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(checkHost);
        https.addCustomizer(secure);
        HttpConnectionFactory http11 = new HttpConnectionFactory(https);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(); // offers the protocols that follow it: h2, http/1.1
        alpn.setDefaultProtocol(http11.getProtocol());
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        return connector;
    }

    /** A started Jetty client that speaks this wire and trusts this authority's certificates. */
    HttpClient client(TestCertificates trusted) throws Exception {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(trusted.clientTls());
        HttpClient client = switch (this) {
            case H2, H2C -> new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
            case HTTP_1_1, HTTPS_1_1 -> new HttpClient(new HttpClientTransportOverHTTP(connector));
        };
        client.setFollowRedirects(false);
        client.start();
        return client;
    }

    /** A GET with these header name/value pairs, checked to have come back over this wire's HTTP version. */
    ContentResponse get(HttpClient client, String url, String... nameValuePairs) throws Exception {
        org.eclipse.jetty.client.Request request = client.newRequest(url).timeout(20, TimeUnit.SECONDS);
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            String name = nameValuePairs[i];
            String value = nameValuePairs[i + 1];
            request.headers(headers -> headers.add(name, value));
        }
        ContentResponse response = request.send();
        if (response.getVersion() != version) {
            throw new AssertionError("asked for " + this + ", answered over " + response.getVersion());
        }
        return response;
    }
}
