package dev.cacheproxy.servlet;

import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application under test: servlets written as lambdas, each mapped twice, at {@code /cached/...}
 * behind the filter and at {@code /direct/...} without it, so a test can compare the two responses.
 * Counts how often each path was really served.
 */
final class Servlets {

    /** What a servlet does. */
    @FunctionalInterface
    interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;
    }

    private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

    /** Maps the filter in front of {@code /cached/*}, for REQUEST dispatches only, as users are told to. */
    static FilterRegistration.Dynamic cache(ServletContext context, CachingFilter filter) {
        FilterRegistration.Dynamic registration = context.addFilter("cacheproxy", filter);
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(EnumSet.of(jakarta.servlet.DispatcherType.REQUEST), false, "/cached/*");
        return registration;
    }

    /** Maps the handler at {@code /cached/name} and {@code /direct/name}. */
    void serve(ServletContext context, String name, Handler handler) {
        ServletRegistration.Dynamic registration = context.addServlet(name, new LambdaServlet(handler, served));
        registration.setAsyncSupported(true);
        registration.addMapping("/cached/" + name, "/direct/" + name);
    }

    /** How many requests for this path (e.g. {@code /cached/text}) reached the servlet. */
    int served(String path) {
        AtomicInteger count = served.get(path);
        return count == null ? 0 : count.get();
    }

    private static final class LambdaServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient Handler handler;
        private final transient Map<String, AtomicInteger> served;

        LambdaServlet(Handler handler, Map<String, AtomicInteger> served) {
            this.handler = handler;
            this.served = served;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
            // An included servlet sees the including request's URI; count it under its own.
            Object included = request.getAttribute(RequestDispatcher.INCLUDE_REQUEST_URI);
            String path = included != null ? included.toString() : request.getRequestURI();
            served.computeIfAbsent(path, counted -> new AtomicInteger()).incrementAndGet();
            handler.handle(request, response);
        }
    }
}
