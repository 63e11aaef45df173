package dev.cacheproxy.examples;

import dev.cacheproxy.servlet.CachingFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The caching filter in an embedded Tomcat, in front of an ordinary servlet whose pages are
 * {@code public, max-age=60}. Run with {@code --help} for its flags.
 */
public final class TomcatFilterDemo {

    static final String USAGE = String.join("\n",
            "Usage: java -cp cacheproxy-example.jar dev.cacheproxy.examples.TomcatFilterDemo [flags]",
            "",
            "An embedded Tomcat with cacheproxy's CachingFilter in front of a small servlet.",
            "",
            "  --port N       the port to listen on, 0 to 65535 (default 8080; 0 picks a free one)",
            "  --bind ADDR    the address to listen on (default 127.0.0.1)",
            "  --help         print this and exit");

    private TomcatFilterDemo() {
    }

    public static void main(String[] args) throws Exception {
        ExampleFlags flags;
        try {
            flags = ExampleFlags.parse(Arrays.asList(args));
            if (flags.origin().isPresent()) {
                throw new IllegalArgumentException("--origin does not apply: the filter caches the demo's own servlet");
            }
        } catch (IllegalArgumentException badFlag) {
            System.err.println("tomcat-filter-demo: " + badFlag.getMessage());
            System.exit(2);
            return;
        }
        if (flags.help()) {
            System.out.println(USAGE);
            return;
        }
        Tomcat tomcat;
        try {
            tomcat = start(flags.bind(), flags.port());
        } catch (Exception startFailure) {
            System.err.println("tomcat-filter-demo: cannot listen on " + flags.bind() + ":" + flags.port() + ": " + startFailure.getMessage());
            System.exit(1);
            return;
        }
        String bind = flags.bind().contains(":") ? "[" + flags.bind() + "]" : flags.bind();
        String url = "http://" + bind + ":" + tomcat.getConnector().getLocalPort();
        System.out.println("cacheproxy: Tomcat with the caching filter on " + url);
        System.out.println("Try it (the first is a miss, the second a hit from the cache):");
        System.out.println("  curl -i " + url + "/hello");
        System.out.println("  curl -i " + url + "/hello");
        tomcat.getServer().await();
    }

    /** Starts Tomcat with the filter in front of the demo servlet; {@code port} 0 picks a free port. */
    static Tomcat start(String bind, int port) throws Exception {
        File baseDir = Files.createTempDirectory("cacheproxy-tomcat-demo").toFile();
        baseDir.deleteOnExit();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.getAbsolutePath());
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", bind);
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", null);
        context.addServletContainerInitializer((classes, servletContext) -> {
            ServletRegistration.Dynamic hello = servletContext.addServlet("hello", new HelloServlet());
            hello.setAsyncSupported(true);
            hello.addMapping("/*");
            // What a web application does in code; web.xml can say the same (see the README).
            FilterRegistration.Dynamic cache = servletContext.addFilter("cacheproxy", CachingFilter.builder().build());
            cache.setAsyncSupported(true);
            cache.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        }, null);
        tomcat.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (Exception stopFailure) {
                System.err.println("tomcat-filter-demo: Tomcat did not stop cleanly: " + stopFailure.getMessage());
            }
        }, "tomcat-filter-demo-shutdown"));
        return tomcat;
    }

    /** A page that says how many requests reached it, so a hit is easy to tell from a miss. */
    static final class HelloServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final AtomicLong served = new AtomicLong();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            long count = served.incrementAndGet();
            response.setContentType("text/plain");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "/hello".equals(request.getRequestURI()) ? "public, max-age=60" : "no-store");
            response.getWriter().print("Hello from a servlet behind the caching filter: request #" + count + " at "
                    + Instant.now() + " for " + request.getRequestURI() + "\n");
        }
    }
}
