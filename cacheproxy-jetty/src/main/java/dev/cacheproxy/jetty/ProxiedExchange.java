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

    ProxiedExchange(ExchangePlan.ToOrigin toOrigin) {
        this.toOrigin = toOrigin;
    }

    void relaying(BodyCapture relayCapture) {
        this.capture = relayCapture;
    }

    void answering(ExchangePlan.Answer answer) {
        this.answerAfterOrigin = answer;
    }

    BodyCapture capture() {
        return capture;
    }

    /** The stored response to send once the origin's (bodiless) 304 has ended, if the engine chose one. */
    Optional<ExchangePlan.Answer> answerAfterOrigin() {
        return Optional.ofNullable(answerAfterOrigin);
    }
}
