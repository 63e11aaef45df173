package dev.cacheproxy.servlet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/** Ends the relay of an async response that did not end through {@code complete()}: a timeout, an error. */
final class AsyncCompletion implements AsyncListener {

    private final ResponseRelay relay;

    AsyncCompletion(ResponseRelay relay) {
        this.relay = relay;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        relay.finishedElsewhere("the async response completed without the filter's AsyncContext");
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        relay.dontStore("the async response timed out");
    }

    @Override
    public void onError(AsyncEvent event) {
        Throwable failure = event.getThrowable();
        relay.dontStore("the async response failed" + (failure == null ? "" : ": " + ResponseRelay.describe(failure)));
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // A new async cycle clears the listeners: stay registered for it.
        event.getAsyncContext().addListener(this);
    }
}
