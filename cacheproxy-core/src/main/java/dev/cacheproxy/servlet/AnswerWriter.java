package dev.cacheproxy.servlet;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.HopByHopFields;
import dev.cacheproxy.api.ResponseHead;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes the engine's heads and answers to a servlet response, the one way every servlet adapter does
 * ({@link CachingFilter}, and {@code CachingProxyServlet} in cacheproxy-jetty): the status, every field
 * but the {@linkplain HopByHopFields hop-by-hop ones} (the container's to manage), the first line of a
 * name replacing what the container set by itself ({@code Date}, {@code Server}), and the body unless
 * the request was {@code HEAD}. Stateless.
 */
public final class AnswerWriter {

    private AnswerWriter() {
    }

    /**
     * Writes the status and the end-to-end fields of this head; nothing is committed yet.
     *
     * @param response the client's response, not committed
     * @param head     the status and fields to write
     */
    public static void writeHead(HttpServletResponse response, ResponseHead head) {
        response.setStatus(head.status());
        Set<String> written = new HashSet<>();
        for (HeaderField line : head.headers().lines()) {
            String name = line.lowerCaseName();
            if (HopByHopFields.NAMES.contains(name)) {
                continue;
            }
            if (written.add(name)) {
                response.setHeader(line.name(), line.value());
            } else {
                response.addHeader(line.name(), line.value());
            }
        }
    }

    /**
     * Writes the body, unless the request was {@code HEAD}.
     *
     * @param response    the client's response
     * @param body        the body to write
     * @param headRequest whether the request was {@code HEAD}
     * @throws IOException when the client cannot be written to
     */
    public static void writeBody(HttpServletResponse response, Body body, boolean headRequest) throws IOException {
        if (body.size() > 0 && !headRequest) {
            body.writeTo(response.getOutputStream());
        }
    }

    /**
     * Writes a whole answer: status, fields and, unless the request was {@code HEAD}, the body.
     *
     * @param response    the client's response, not committed
     * @param answer      the engine's answer
     * @param headRequest whether the request was {@code HEAD}
     * @throws IOException when the client cannot be written to
     */
    public static void writeAnswer(HttpServletResponse response, ExchangePlan.Answer answer, boolean headRequest)
            throws IOException {
        writeHead(response, answer.response());
        writeBody(response, answer.body(), headRequest);
    }

    /**
     * Writes the proxy's own error: its status, {@code Cache-Status}, and its one-line message as plain text.
     *
     * @param response the client's response, not committed
     * @param fail     the engine's error
     * @throws IOException when the client cannot be written to
     */
    public static void writeFail(HttpServletResponse response, ExchangePlan.Fail fail) throws IOException {
        writePlainText(response, fail.status(), fail.message(), HeaderFields.of("Cache-Status", fail.cacheStatus().toHeaderValue()));
    }

    /**
     * Writes a short plain-text answer of the proxy's own, never stored ({@code Cache-Control: no-store}).
     *
     * @param response the client's response, not committed
     * @param status   the status code
     * @param message  the one-line body
     * @param extra    more fields to send, e.g. {@code Retry-After}
     * @throws IOException when the client cannot be written to
     */
    public static void writePlainText(HttpServletResponse response, int status, String message, HeaderFields extra)
            throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        writeHead(response, new ResponseHead(status, extra));
        response.setContentType("text/plain;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
