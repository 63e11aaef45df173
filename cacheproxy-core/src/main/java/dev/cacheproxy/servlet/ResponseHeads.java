package dev.cacheproxy.servlet;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.HopByHopFields;
import dev.cacheproxy.api.ResponseHead;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reads the response head a servlet has set so far, and writes the engine's heads and answers back. */
final class ResponseHeads {

    private ResponseHeads() {
    }

    /**
     * The head as the container would send it now: its header fields (cookies added with
     * {@code addCookie} and the container's session cookie included, as both live among them),
     * {@code Content-Type} as the container reports it, with the charset {@code getWriter} fixed, and
     * the {@code Content-Length} the servlet declared.
     *
     * @throws IllegalArgumentException if the status or a field cannot be represented
     */
    static ResponseHead read(HttpServletResponse response, int status, Optional<Long> declaredLength) {
        HeaderFields.Builder fields = HeaderFields.builder();
        Set<String> seen = new HashSet<>();
        for (String name : response.getHeaderNames()) {
            String lowerCase = name.toLowerCase(Locale.ROOT);
            // Containers disagree on whether these two are among the header names: read them once, below.
            if (lowerCase.equals("content-type") || lowerCase.equals("content-length") || !seen.add(lowerCase)) {
                continue;
            }
            for (String value : response.getHeaders(name)) {
                if (value != null) {
                    fields.add(name, value);
                }
            }
        }
        String contentType = response.getContentType();
        if (contentType != null) {
            fields.add("Content-Type", contentType);
        }
        declaredLength.or(() -> headerLength(response))
                .ifPresent(length -> fields.add("Content-Length", Long.toString(length)));
        return new ResponseHead(status, fields.build());
    }

    /**
     * Writes the fields and status in which {@code target} differs from {@code current}, the head the
     * response already has. Fields only {@code current} has stay: the servlet API cannot remove one.
     */
    static void writeChanges(HttpServletResponse response, ResponseHead current, ResponseHead target) {
        if (current.status() != target.status()) {
            response.setStatus(target.status());
        }
        for (String name : target.headers().names()) {
            if (!HopByHopFields.isHopByHop(name)
                    && !target.headers().values(name).equals(current.headers().values(name))) {
                writeField(response, name, target.headers());
            }
        }
    }

    /** Writes a whole answer of the engine: status, fields and, unless the request was {@code HEAD}, the body. */
    static void writeAnswer(HttpServletResponse response, ExchangePlan.Answer answer, boolean headRequest) throws IOException {
        ResponseHead head = answer.response();
        response.setStatus(head.status());
        for (String name : head.headers().names()) {
            if (!HopByHopFields.isHopByHop(name)) {
                writeField(response, name, head.headers());
            }
        }
        Body body = answer.body();
        if (body.size() > 0 && !headRequest) {
            body.writeTo(response.getOutputStream());
        }
    }

    /** The first line replaces what the response has (a container's own Date, say); later ones add. */
    private static void writeField(HttpServletResponse response, String name, HeaderFields fields) {
        boolean first = true;
        for (HeaderField line : fields.lines()) {
            if (!line.hasName(name)) {
                continue;
            }
            if (first) {
                response.setHeader(line.name(), line.value());
                first = false;
            } else {
                response.addHeader(line.name(), line.value());
            }
        }
    }

    private static Optional<Long> headerLength(HttpServletResponse response) {
        String value = response.getHeader("Content-Length");
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(value.strip()));
        } catch (NumberFormatException notANumber) {
            return Optional.empty();
        }
    }
}
