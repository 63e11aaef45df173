package dev.cacheproxy.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/** A servlet a web.xml can name: each answer counts itself, and is cacheable for a minute. */
public final class PageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final AtomicInteger served = new AtomicInteger();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "public, max-age=60");
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().print("page #" + served.incrementAndGet() + " for " + request.getRequestURI());
    }
}
