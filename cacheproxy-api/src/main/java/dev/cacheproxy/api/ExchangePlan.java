package dev.cacheproxy.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a server adapter does next in one exchange, as the {@link ProxyEngine} decided. Each phase of
 * the engine answers with one of the narrower sealed types below, and each plan says why.
 */
public sealed interface ExchangePlan {

    /** {@return the cache's part of the {@code Cache-Status} field for this exchange} */
    CacheStatus cacheStatus();

    /** What the engine can answer when a client request arrives. */
    sealed interface OnClientRequest extends ExchangePlan permits Answer, ToOrigin, Wait {
    }

    /** What the engine can answer when the origin's response head arrives. */
    sealed interface OnOriginResponse extends ExchangePlan permits Answer, Relay {
    }

    /** What the engine can answer when the origin could not be reached or failed. */
    sealed interface OnOriginFailure extends ExchangePlan permits Answer, Fail {
    }

    /**
     * Answer the client with this complete response and contact the origin no further for it. Its head
     * already carries {@code Age} and {@code Cache-Status}; for a {@code HEAD} request, send no body.
     *
     * <p>When {@code refresh} is present the answer is a stale response served under
     * {@code stale-while-revalidate} (RFC 5861): after answering, the adapter sends that request to the
     * origin in the background and hands its outcome to the engine like any other, through
     * {@link ProxyEngine#onOriginResponse} (streaming the body through the capture it gets back) or
     * {@link ProxyEngine#onOriginFailure}. An adapter that does not send it (it cannot send background
     * requests, or has no backend to send it to) says so with {@link ProxyEngine#onRefreshDeclined}, and
     * the engine offers the refresh again to a later request.
     *
     * @param response    the status and header fields to send
     * @param body        the body to send
     * @param cacheStatus why, for logs
     * @param refresh     a background revalidation to send once the client is answered, if any
     */
    record Answer(ResponseHead response, Body body, CacheStatus cacheStatus, Optional<ToOrigin> refresh)
            implements OnClientRequest, OnOriginResponse, OnOriginFailure {
        /**
         * Rejects a missing component with an exception naming it.
         *
         * @param response    the status and header fields to send
         * @param body        the body to send
         * @param cacheStatus why, for logs
         * @param refresh     a background revalidation to send once the client is answered, if any
         */
        public Answer {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(cacheStatus, "cacheStatus");
            Objects.requireNonNull(refresh, "refresh");
        }

        /**
         * An answer with no background refresh.
         *
         * @param response    the status and header fields to send
         * @param body        the body to send
         * @param cacheStatus why, for logs
         */
        public Answer(ResponseHead response, Body body, CacheStatus cacheStatus) {
            this(response, body, cacheStatus, Optional.empty());
        }
    }

    /**
     * Another request for the same response is already on its way to the origin: wait for it instead of
     * sending one more (request collapsing). When {@code ready} completes, or {@code timeout} has passed,
     * call {@link ProxyEngine#onClientRequestAfterWait} with the same request, which never answers
     * {@code Wait} again. Waiting should hold no thread where the server allows it (an async servlet).
     *
     * @param ready       completes when the other request's response has been stored or given up
     * @param timeout     the longest to wait before going on anyway
     * @param cacheStatus why, for logs
     */
    record Wait(CompletionStage<Void> ready, Duration timeout, CacheStatus cacheStatus) implements OnClientRequest {
        /**
         * Rejects a missing or invalid component with an exception naming it.
         *
         * @param ready       completes when the other request's response has been stored or given up
         * @param timeout     the longest to wait before going on anyway
         * @param cacheStatus why, for logs
         */
        public Wait {
            Objects.requireNonNull(ready, "ready");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(cacheStatus, "cacheStatus");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("a wait timeout must not be negative: " + timeout);
            }
        }
    }

    /**
     * Send the client's request to the origin, changed as given. The adapter removes
     * {@linkplain HopByHopFields hop-by-hop fields} as any proxy does, then applies the changes with
     * {@link #applyTo}: it removes {@code removeFields} and sets each of {@code setFields}.
     *
     * @param clientRequest the request as the client sent it
     * @param key           the cache key of the request
     * @param setFields     fields to send instead of any the client sent with the same name
     * @param removeFields  names of fields the client sent that must not reach the origin
     * @param validating    the stored response being validated, when the request is conditional on it
     * @param requestTime   when the request was sent to the origin, for the §4.2.3 age calculation
     * @param cacheStatus   why the request goes to the origin
     */
    record ToOrigin(
            RequestHead clientRequest,
            CacheKey key,
            HeaderFields setFields,
            List<String> removeFields,
            Optional<StoredResponse> validating,
            Instant requestTime,
            CacheStatus cacheStatus) implements OnClientRequest {
        /**
         * Rejects a missing component with an exception naming it. Copies collections: later changes to
         * the caller's do not show.
         *
         * @param clientRequest the request as the client sent it
         * @param key           the cache key of the request
         * @param setFields     fields to send instead of any the client sent with the same name
         * @param removeFields  names of fields the client sent that must not reach the origin
         * @param validating    the stored response being validated, when the request is conditional on it
         * @param requestTime   when the request was sent to the origin, for the §4.2.3 age calculation
         * @param cacheStatus   why the request goes to the origin
         */
        public ToOrigin {
            Objects.requireNonNull(clientRequest, "clientRequest");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(setFields, "setFields");
            removeFields = List.copyOf(removeFields);
            Objects.requireNonNull(validating, "validating");
            Objects.requireNonNull(requestTime, "requestTime");
            Objects.requireNonNull(cacheStatus, "cacheStatus");
        }

        /**
         * Whether the request goes to the origin exactly as the client sent it (less hop-by-hop fields).
         *
         * @return {@code true} when no field is set or removed
         */
        public boolean changesNothing() {
            return removeFields.isEmpty() && setFields.isEmpty();
        }

        /**
         * Changes the origin request's header fields as this plan says, through the adapter's own field
         * container: first every field of {@code removeFields} and every name of {@code setFields} is
         * removed, then each line of {@code setFields} is added, in order. The one way every adapter
         * turns a plan into origin fields, e.g. for Jetty's {@code HttpFields.Mutable}:
         * {@code toOrigin.applyTo(fields::remove, fields::add)}.
         *
         * @param remove removes every line of the given name, ignoring case
         * @param add    adds one line
         */
        public void applyTo(Consumer<String> remove, BiConsumer<String, String> add) {
            removeFields.forEach(remove);
            setFields.names().forEach(remove);
            setFields.lines().forEach(line -> add.accept(line.name(), line.value()));
        }

        /**
         * The client's fields as the origin gets them: without hop-by-hop fields, then changed by {@link #applyTo}.
         *
         * @return the fields to send the origin
         */
        public HeaderFields originFields() {
            HeaderFields.Builder fields = HopByHopFields.removeFrom(clientRequest.headers()).toBuilder();
            applyTo(fields::remove, fields::add);
            return fields.build();
        }
    }

    /**
     * Pass the origin's response to the client with this head, streaming its body through
     * {@code capture} as it goes.
     *
     * @param response    the head to send the client (with {@code Cache-Status})
     * @param capture     where to copy the body as it streams; {@link BodyCapture#NONE} when it is not stored
     * @param cacheStatus why, for logs
     */
    record Relay(ResponseHead response, BodyCapture capture, CacheStatus cacheStatus) implements OnOriginResponse {
        /**
         * Rejects a missing component with an exception naming it.
         *
         * @param response    the head to send the client (with {@code Cache-Status})
         * @param capture     where to copy the body as it streams; {@link BodyCapture#NONE} when it is not stored
         * @param cacheStatus why, for logs
         */
        public Relay {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(capture, "capture");
            Objects.requireNonNull(cacheStatus, "cacheStatus");
        }
    }

    /**
     * Answer the client with an error of the proxy's own: the origin failed and nothing stored may stand in.
     *
     * @param status      502 when the origin failed or could not be reached, 504 when it timed out
     * @param message     one line naming the problem, sent as a plain-text body
     * @param cacheStatus why, for logs
     */
    record Fail(int status, String message, CacheStatus cacheStatus) implements OnOriginFailure {
        /**
         * Rejects a missing or invalid component with an exception naming it.
         *
         * @param status      502 when the origin failed or could not be reached, 504 when it timed out
         * @param message     one line naming the problem, sent as a plain-text body
         * @param cacheStatus why, for logs
         */
        public Fail {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(cacheStatus, "cacheStatus");
            if (status < 500 || status > 599) {
                throw new IllegalArgumentException("a proxy failure is a 5xx status, not " + status);
            }
        }
    }
}
