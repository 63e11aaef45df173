package dev.cacheproxy.jetty;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.ExchangePlan;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the servlet remembers of one exchange between Jetty's hooks: the plan that sent it to the
 * origin, its route, the backends it was sent to, then what to do with the origin's answer. Each
 * exchange's hooks run one after another, so plain fields suffice; {@code volatile} because they may
 * run on different threads.
 */
final class ProxiedExchange {

    final ExchangePlan.ToOrigin toOrigin;
    final Routes.Match match;
    /** Set once any of the client's body was read for a backend: from then on the request never goes again. */
    final AtomicBoolean bodyTouched = new AtomicBoolean();
    private final List<Backend> tried = new CopyOnWriteArrayList<>();
    private volatile Backend backend;
    private volatile long sentNanos;
    private volatile boolean requestBegun;
    private volatile boolean responseBegun;
    private volatile boolean clientFailed;
    private volatile BodyCapture capture = BodyCapture.NONE;
    private volatile ExchangePlan.Answer answerAfterOrigin;
    private volatile boolean clientGone;
    private volatile boolean sameBackendAgain;

    ProxiedExchange(ExchangePlan.ToOrigin toOrigin, Routes.Match match) {
        this.toOrigin = toOrigin;
        this.match = match;
    }

    /** This backend gets the next attempt. */
    void chose(Backend chosen) {
        backend = chosen;
        tried.add(chosen);
        requestBegun = false;
        responseBegun = false;
        sameBackendAgain = false;
    }

    /** The next attempt goes to the backend of the last one, on a new connection (there is no other to try). */
    void againOnSameBackend() {
        sameBackendAgain = true;
    }

    boolean sameBackendAgain() {
        return sameBackendAgain;
    }

    /** The backends tried so far, the current one included. */
    List<Backend> tried() {
        return tried;
    }

    Backend backend() {
        return backend;
    }

    void sent(long nanos) {
        sentNanos = nanos;
    }

    long sentNanos() {
        return sentNanos;
    }

    /** The current attempt is being written to a backend's connection: from now on something may have reached it. */
    void requestBegan() {
        requestBegun = true;
    }

    boolean requestBegun() {
        return requestBegun;
    }

    void responseBegan() {
        responseBegun = true;
    }

    /** Whether a backend's response head arrived: from then on the client's response is that one. */
    boolean responseBegun() {
        return responseBegun;
    }

    /** Reading the client's body failed: the backend is not to blame, and the request cannot go again. */
    void clientFailed() {
        clientFailed = true;
    }

    boolean clientHasFailed() {
        return clientFailed;
    }

    void relaying(BodyCapture relayCapture) {
        this.capture = relayCapture;
    }

    void answering(ExchangePlan.Answer answer) {
        this.answerAfterOrigin = answer;
    }

    /** The client cannot be written to any more; the origin's body is still read into the capture. */
    void clientWentAway() {
        clientGone = true;
    }

    boolean clientGone() {
        return clientGone;
    }

    BodyCapture capture() {
        return capture;
    }

    /** The stored response to send once the origin's (bodiless) 304 has ended, if the engine chose one. */
    Optional<ExchangePlan.Answer> answerAfterOrigin() {
        return Optional.ofNullable(answerAfterOrigin);
    }
}
