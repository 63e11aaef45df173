package dev.cacheproxy.jetty;

import java.net.URI;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS failures on the way to the origin: a one-line reason safe to show a client (no address, no
 * exception text), and the JDK's full reason in the log, at most once per interval with a count of
 * the ones not logged, so a misconfigured origin does not flood the log.
 */
final class OriginTlsFailures {

    private static final Logger LOG = LoggerFactory.getLogger(OriginTlsFailures.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final URI origin;
    private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());
    private final AtomicLong notLogged = new AtomicLong();

    OriginTlsFailures(URI origin) {
        this.origin = origin;
    }

    /** The client-safe reason when the failure is TLS's (logging the detail), else empty. */
    Optional<String> describe(Throwable failure) {
        Optional<String> reason = reason(failure);
        reason.ifPresent(text -> log(text, failure));
        return reason;
    }

    /** What went wrong, in words that name no address and quote no exception. */
    static Optional<String> reason(Throwable failure) {
        boolean tls = false;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof CertificateExpiredException
                    || cause instanceof CertPathValidatorException invalid && invalid.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return Optional.of("the origin's TLS certificate has expired");
            }
            if (cause instanceof CertPathBuilderException || cause instanceof CertPathValidatorException) {
                return Optional.of("the origin's TLS certificate is not trusted");
            }
            // The JDK's host name check (sun.security.util.HostnameChecker) throws a plain CertificateException.
            if (cause instanceof CertificateException && cause.getMessage() != null
                    && (cause.getMessage().startsWith("No subject alternative") || cause.getMessage().startsWith("No name matching"))) {
                return Optional.of("the origin's TLS certificate does not match its host name");
            }
            tls |= cause instanceof SSLException;
        }
        return tls ? Optional.of("the TLS handshake with the origin failed") : Optional.empty();
    }

    private void log(String reason, Throwable failure) {
        long now = System.nanoTime();
        long due = nextLogAt.get();
        if (now - due < 0 || !nextLogAt.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
            notLogged.incrementAndGet();
            return;
        }
        LOG.warn("TLS to origin {} refused: {} ({}); {} similar failures not logged since the last one",
                origin, reason, FromJetty.problem(failure), notLogged.getAndSet(0));
    }
}
