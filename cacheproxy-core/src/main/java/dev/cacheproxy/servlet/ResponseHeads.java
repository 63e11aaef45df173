package dev.cacheproxy.servlet;

import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.HopByHopFields;
import dev.cacheproxy.api.ResponseHead;
import jakarta.servlet.http.HttpServletResponse;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reads the response head a servlet has set so far, and writes back where the engine's head differs from it. */
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
