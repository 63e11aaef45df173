package dev.cacheproxy.servlet;

import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.HeaderFields;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The request as the servlet behind the filter sees it: the client's, changed as the engine's
 * {@link ExchangePlan.ToOrigin} says (the validators of a stored response being revalidated), without
 * the forwarding fields the client may not send ({@code ClientForwarding}), and
 * with asynchronous processing kept inside the filter's sight: {@code startAsync()} hands the
 * capturing response to the {@link jakarta.servlet.AsyncContext}, whose {@code complete()} ends the body.
 */
final class ToOriginRequest extends HttpServletRequestWrapper {

    private final HeaderFields setFields;
    private final Set<String> hiddenNames;
    private final CapturingResponse capturingResponse;
    private final ResponseRelay relay;
    private volatile TrackedAsyncContext asyncContext;

    ToOriginRequest(HttpServletRequest clientRequest, ExchangePlan.ToOrigin toOrigin, CapturingResponse capturingResponse,
                    ResponseRelay relay, Set<String> strippedNames) {
        super(clientRequest);
        // The plan's changes, applied the one way every adapter applies them: names hidden, lines added;
        // and the forwarding fields this client may not send hidden as well.
        Set<String> hidden = new LinkedHashSet<>(strippedNames);
        HeaderFields.Builder set = HeaderFields.builder();
        toOrigin.applyTo(name -> hidden.add(name.toLowerCase(Locale.ROOT)), set::add);
        this.setFields = set.build();
        this.hiddenNames = Set.copyOf(hidden);
        this.capturingResponse = capturingResponse;
        this.relay = relay;
    }

    /** Whether the servlet started asynchronous processing through this request. */
    boolean asyncStartedHere() {
        return asyncContext != null;
    }

    @Override
    public String getHeader(String name) {
        if (!isChanged(name)) {
            return super.getHeader(name);
        }
        return setFields.first(name).orElse(null);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        if (!isChanged(name)) {
            return super.getHeaders(name);
        }
        return Collections.enumeration(setFields.values(name));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Enumeration<String> own = super.getHeaderNames(); own.hasMoreElements(); ) {
            String name = own.nextElement();
            if (!isChanged(name)) {
                names.add(name);
            }
        }
        names.addAll(setFields.names());
        return Collections.enumeration(new ArrayList<>(names));
    }

    @Override
    public long getDateHeader(String name) {
        if (!isChanged(name)) {
            return super.getDateHeader(name);
        }
        String value = getHeader(name);
        if (value == null) {
            return -1;
        }
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException notADate) {
            throw new IllegalArgumentException("header " + name + " is not an HTTP date: " + value, notADate);
        }
    }

    @Override
    public int getIntHeader(String name) {
        if (!isChanged(name)) {
            return super.getIntHeader(name);
        }
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value.strip());
    }

    @Override
    public AsyncContext startAsync() {
        return startAsync(this, capturingResponse);
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        AsyncContext started = super.startAsync(request, response);
        if (!wrapsCapturingResponse(response)) {
            try {
                relay.passThrough("asynchronous processing uses a response that bypasses the filter");
            } catch (IOException notSent) {
                relay.dontStore("asynchronous processing uses a response that bypasses the filter");
            }
        }
        TrackedAsyncContext tracked = new TrackedAsyncContext(started, relay);
        started.addListener(new AsyncCompletion(relay));
        asyncContext = tracked;
        return tracked;
    }

    @Override
    public AsyncContext getAsyncContext() {
        TrackedAsyncContext tracked = asyncContext;
        return tracked != null ? tracked : super.getAsyncContext();
    }

    private boolean isChanged(String name) {
        return name != null && hiddenNames.contains(name.toLowerCase(Locale.ROOT));
    }

    private boolean wrapsCapturingResponse(ServletResponse response) {
        return response == capturingResponse
                || response instanceof ServletResponseWrapper wrapper && wrapper.isWrapperFor(capturingResponse);
    }

    @Override
    public String toString() {
        return "ToOriginRequest[" + getMethod() + " " + getRequestURI() + ", changed fields "
                + hiddenNames.stream().collect(Collectors.joining(", ")) + "]";
    }
}
