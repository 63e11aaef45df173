package dev.cacheproxy.examples;

import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.jetty.CachingHandler;
import dev.cacheproxy.jetty.BackendPool;
import dev.cacheproxy.jetty.CachingProxyServlet;
import dev.cacheproxy.jetty.Routes;
import dev.cacheproxy.admin.AdminEndpoint;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The example caching reverse proxy: an embedded Jetty 12 server with a {@link CachingProxyServlet}
 * in front of an origin or pools of backends. Run with {@code --help} for its flags.
 */
public final class ExampleProxy {

    private ExampleProxy() {
    }

    public static void main(String[] args) throws Exception {
        ExampleFlags flags;
        try {
            flags = ExampleFlags.parse(Arrays.asList(args));
        } catch (IllegalArgumentException badFlag) {
            System.err.println("cacheproxy-example: " + badFlag.getMessage());
            System.exit(2);
            return;
        }
        if (flags.help()) {
            System.out.println(ExampleFlags.USAGE);
            return;
        }
        TlsFlags.Loaded tls;
        try {
            // Read before the store opens: a bad certificate or key is a bad flag, told in one line.
            tls = flags.tls().load(System::getenv);
        } catch (IllegalArgumentException badTls) {
            System.err.println("cacheproxy-example: " + badTls.getMessage());
            System.exit(2);
            return;
        }
        CachingEngine engine;
        try {
            CachingEngine.Builder builder = CachingEngine.builder().store(flags.store().build())
                    .rememberMissesFor(flags.rememberMisses());
            // Unless given, the engine's default applies: 8 MiB, lowered to fit small tiers.
            flags.maxObjectSize().ifPresent(builder::maxObjectSize);
            engine = builder.build();
        } catch (IllegalArgumentException tiersTooSmall) {
            // A --max-object-size the tiers cannot keep, in the store's own numbers.
            System.err.println("cacheproxy-example: " + tiersTooSmall.getMessage());
            System.exit(2);
            return;
        } catch (IllegalStateException cannotOpenStore) {
            // A --store-dir that another proxy uses, that cannot be written, or whose disk cannot hold the tier.
            System.err.println("cacheproxy-example: " + cannotOpenStore.getMessage());
            System.exit(1);
            return;
        }
        try {
            // Checked here, so that a bad --admin-allow is reported as such rather than as a server that cannot start.
            AdminEndpoint.fromInitParameters(engine, flags.adminInitParameters()::get);
        } catch (IllegalArgumentException badValue) {
            System.err.println("cacheproxy-example: --admin-allow: " + badValue.getMessage());
            engine.close();
            System.exit(2);
            return;
        }
        DemoOrigin demo = flags.origin().isEmpty() ? new DemoOrigin() : null;
        Routes routes = flags.pools().routes(demo == null ? null : URI.create(demo.url()));

        Server server;
        try {
            server = start(routes, flags.bind(), flags.port(), engine, flags.servletInitParameters(), flags.storeDir().isEmpty(), tls,
                    flags.limits());
        } catch (Exception startFailure) {
            System.err.println("cacheproxy-example: cannot listen on " + flags.bind() + ":" + flags.port() + ": " + startFailure.getMessage());
            if (demo != null) {
                demo.close();
            }
            engine.close();
            System.exit(1);
            return;
        }
        // One hook, in order: stop accepting and let responses in flight finish (within the grace period),
        // then close the store, which writes a --store-dir disk tier out for the next start.
        Server running = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopGracefully(running, engine, demo), "cacheproxy-shutdown"));
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        String proxy = (flags.tls().servesTls() ? "https://" : "http://") + hostForUrl(flags.bind()) + ":" + port;
        System.out.print("cacheproxy: caching proxy on " + proxy + ":\n" + PoolFlags.describe(routes).indent(2));
        tls.certificate().ifPresent(certificate -> System.out.println("cacheproxy: TLS 1.2/1.3, HTTP/2 and HTTP/1.1 by ALPN; certificate "
                + certificate.leaf().getSubjectX500Principal().getName() + ", valid until " + certificate.leaf().getNotAfter().toInstant()));
        if (flags.adminToken().isPresent()) {
            System.out.println("cacheproxy: admin endpoint on: curl -X PURGE -H 'Authorization: Bearer TOKEN' " + proxy + "/hello");
        }
        if (demo != null) {
            System.out.println("cacheproxy: no --origin given, so a demo origin runs on " + demo.url());
            System.out.println("Try it (the first is a miss, the second a hit from the cache):");
            System.out.println("  curl -i " + proxy + "/hello");
            System.out.println("  curl -i " + proxy + "/hello");
        }
        server.join();
    }

    /** Starts the proxy server with the default engine; {@code port} 0 picks a free port. */
    static Server start(URI origin, String bind, int port) throws Exception {
        return start(origin, bind, port, CachingEngine.builder().build());
    }

    /** Starts the proxy server with this engine; {@code port} 0 picks a free port. */
    static Server start(URI origin, String bind, int port, CachingEngine engine) throws Exception {
        return start(origin, bind, port, engine, Map.of());
    }

    /** Starts the proxy server with this engine (its store in memory) and these init-parameters for its servlet. */
    static Server start(URI origin, String bind, int port, CachingEngine engine, Map<String, String> initParameters)
            throws Exception {
        return start(origin, bind, port, engine, initParameters, true, TlsFlags.Loaded.NONE);
    }

    /**
     * Stops the server gracefully (no new connections; requests in flight get the grace period to
     * finish), then closes the engine and its store. Safe to call once per server.
     */
    static void stopGracefully(Server server, CachingEngine engine, DemoOrigin demo) {
        try {
            server.stop();
        } catch (Exception stopFailed) {
            System.err.println("cacheproxy-example: stopping the server: " + stopFailed);
        } finally {
            engine.close();
            if (demo != null) {
                demo.close();
            }
        }
    }

    /**
     * Starts the proxy server; {@code port} 0 picks a free port. With the store in memory, hits are
     * answered on the thread that read the request ({@link CachingHandler#forInMemoryStore}); with a disk
     * tier, whose reads may block, on a pool thread.
     */
    static Server start(URI origin, String bind, int port, CachingEngine engine, Map<String, String> initParameters,
                        boolean storeInMemory, TlsFlags.Loaded tls) throws Exception {
        return start(Routes.to(BackendPool.of(origin)), bind, port, engine, initParameters, storeInMemory, tls);
    }

    /** Starts the proxy server over plain HTTP within these limits; {@code port} 0 picks a free port. */
    static Server start(URI origin, String bind, int port, CachingEngine engine, Map<String, String> initParameters,
                        boolean storeInMemory, ServerLimits limits) throws Exception {
        return start(Routes.to(BackendPool.of(origin)), bind, port, engine, initParameters, storeInMemory, TlsFlags.Loaded.NONE, limits);
    }

    /** Starts the proxy server in front of these routes' pools, over plain HTTP/1.1; {@code port} 0 picks a free port. */
    static Server start(Routes routes, String bind, int port, CachingEngine engine, Map<String, String> initParameters,
                        boolean storeInMemory) throws Exception {
        return start(routes, bind, port, engine, initParameters, storeInMemory, TlsFlags.Loaded.NONE);
    }

    /**
     * Starts the proxy server in front of these routes' pools, with HTTPS, HTTP/2 and the backends' TLS
     * as {@code tls} says, within the default limits; {@code port} 0 picks a free port.
     */
    static Server start(Routes routes, String bind, int port, CachingEngine engine, Map<String, String> initParameters,
                        boolean storeInMemory, TlsFlags.Loaded tls) throws Exception {
        return start(routes, bind, port, engine, initParameters, storeInMemory, tls, ServerLimits.defaults());
    }

    /** As {@link #start(Routes, String, int, CachingEngine, Map, boolean, TlsFlags.Loaded)}, within these limits. */
    static Server start(Routes routes, String bind, int port, CachingEngine engine, Map<String, String> initParameters,
                        boolean storeInMemory, TlsFlags.Loaded tls, ServerLimits limits) throws Exception {
        // Bounded threads: waiting for the origin holds none (the servlet is asynchronous), nor does an idle connection.
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("cacheproxy");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = ProxyConnector.add(server, http, tls.source(), tls.certificate(), tls.h2c());
        // Java's default listen backlog is 50: a burst of new connections beyond it waits for the client's
        // SYN to be sent again, a second later. nginx asks for 511 on Linux; the kernel caps it (somaxconn).
        connector.setAcceptQueueSize(1024);
        connector.setHost(bind);
        connector.setPort(port);
        connector.setIdleTimeout(limits.clientIdleTimeout().toMillis());
        // Bounded descriptors: past the limit Jetty stops accepting, and new connections wait in the accept queue.
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        Map<String, String> parameters = new java.util.HashMap<>(initParameters);
        parameters.putIfAbsent("timeout", Long.toString(limits.originTimeout().toMillis()));
        initParameters = parameters;

        ServletContextHandler context = new ServletContextHandler("/");
        CachingProxyServlet servlet = new CachingProxyServlet(routes, engine, tls.originTransport());
        ServletHolder proxy = new ServletHolder("cacheproxy", servlet);
        proxy.setAsyncSupported(true);
        proxy.setInitOrder(0);
        proxy.setInitParameters(initParameters);
        context.addServlet(proxy, "/*");
        // Hits are answered in front of the servlet machinery; everything else goes to the servlet.
        Handler caching = storeInMemory ? CachingHandler.forInMemoryStore(context, servlet) : new CachingHandler(context, servlet);
        // Counts requests in flight, so that a graceful stop waits for them (up to the stop timeout).
        server.setHandler(new GracefulHandler(caching));
        server.setStopTimeout(limits.shutdownGrace().toMillis());
        // The caller stops it (ExampleProxy's shutdown hook), before closing the store.
        server.setStopAtShutdown(false);
        server.start();
        return server;
    }

    private static String hostForUrl(String bind) {
        return bind.contains(":") ? "[" + bind + "]" : bind;
    }
}
