package dev.cacheproxy.jetty;

import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.ExchangePlan;
import java.util.Optional;

/**
 * What the servlet remembers of one exchange between Jetty's hooks: the plan that sent it to the
 * origin, then what to do with the origin's answer. Each exchange's hooks run one after another, so
 * plain fields suffice; {@code volatile} because they may run on different threads.
 */
final class ProxiedExchange {

    final ExchangePlan.ToOrigin toOrigin;
    private volatile BodyCapture capture = BodyCapture.NONE;
    private volatile ExchangePlan.Answer answerAfterOrigin;
    private volatile boolean clientGone;

    ProxiedExchange(ExchangePlan.ToOrigin toOrigin) {
        this.toOrigin = toOrigin;
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
