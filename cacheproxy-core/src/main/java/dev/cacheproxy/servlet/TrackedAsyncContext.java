package dev.cacheproxy.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * The container's {@link AsyncContext}, with the two ways an async response ends made visible to the
 * filter: {@code complete()} ends the body normally (it is sent and may be stored), and a
 * {@code dispatch} hands the response to a later dispatch the filter does not take part in, so it passes
 * through from then on and is not stored.
 */
final class TrackedAsyncContext implements AsyncContext {

    private final AsyncContext container;
    private final ResponseRelay relay;

    TrackedAsyncContext(AsyncContext container, ResponseRelay relay) {
        this.container = container;
        this.relay = relay;
    }

    @Override
    public void complete() {
        relay.finish();
        container.complete();
    }

    @Override
    public void dispatch() {
        passThroughBeforeDispatch();
        container.dispatch();
    }

    @Override
    public void dispatch(String path) {
        passThroughBeforeDispatch();
        container.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        passThroughBeforeDispatch();
        container.dispatch(context, path);
    }

    @Override
    public ServletRequest getRequest() {
        return container.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
        return container.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return container.hasOriginalRequestAndResponse();
    }

    @Override
    public void start(Runnable run) {
        container.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
        container.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
        container.addListener(listener, request, response);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
        return container.createListener(type);
    }

    @Override
    public void setTimeout(long timeout) {
        container.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
        return container.getTimeout();
    }

    private void passThroughBeforeDispatch() {
        try {
            relay.passThrough("the response was handed to an async dispatch");
        } catch (IOException notSent) {
            relay.dontStore("the response was handed to an async dispatch");
        }
    }
}
