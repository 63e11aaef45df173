package dev.cacheproxy.core;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.BodyCapture;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.ExchangePlan.Relay;
import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.api.StoredResponse;
import java.time.Instant;
import java.util.Optional;

/**
 * RFC 9111 §3: whether the origin's response is stored as it streams to the client, and the capture
 * that stores it. What is stored is the end-to-end head, tag fields as configured; what the client gets
 * carries {@code Cache-Status} saying whether (and for how long) it was stored, or why not.
 */
final class StoringRelay {

    private final GuardedPolicy policy;
    private final GuardedStore store;
    private final TagFields tagFields;
    private final int maxObjectSize;
    private final EngineCounters counters;
    private final Optional<RememberedMisses> rememberedMisses;

    StoringRelay(GuardedPolicy policy, GuardedStore store, TagFields tagFields, int maxObjectSize, EngineCounters counters,
                 Optional<RememberedMisses> rememberedMisses) {
        this.rememberedMisses = rememberedMisses;
        this.policy = policy;
        this.store = store;
        this.tagFields = tagFields;
        this.maxObjectSize = maxObjectSize;
        this.counters = counters;
    }

    /** The origin's response relayed to the client, its body captured into the store when it may be stored. */
    Relay relay(ToOrigin toOrigin, ResponseHead response, CacheStatus status, Instant now) {
        RequestHead clientRequest = toOrigin.clientRequest();
        BodyCapture capture = BodyCapture.NONE;
        // GET responses are stored; so is a POST's that names itself as the target's representation (§9.3.3).
        // A request whose key could not be computed is never stored: under a wrong key it could reach others;
        // nor is a GET with content: the content is not in the key (RequestContentRule).
        if ((clientRequest.isMethod("GET") || clientRequest.isMethod("POST")) && !Keying.isUnkeyable(toOrigin.key())
                && !RequestContentRule.bypassesCache(clientRequest)) {
            Storability storability = policy.storability(clientRequest, response, now);
            // A rule may keep fields out of the stored copy (a shared response's Set-Cookie, an ignored Vary).
            HeaderFields storedFields = storability instanceof Storability.Store storable
                    ? StoredFieldsRule.toStore(response.headers()).toBuilder().removeAll(storable.fieldsNotStored()).build()
                    : response.headers();
            Optional<String> variantKey = VaryRule.variantKey(storedFields, clientRequest);
            if (storability instanceof Storability.Store storable && variantKey.isPresent()) {
                rememberedMisses.ifPresent(misses -> misses.forget(toOrigin.key()));
                ResponseHead stored = tagFields.forStorage(response.withHeaders(storedFields));
                capture = new StoringCapture(store, toOrigin.key(), stored, variantKey.get(),
                        toOrigin.requestTime(), now, storable.freshnessLifetime(), maxObjectSize, counters);
                if (capture.isCapturing() && store.takesWrites()) {
                    StoredResponse asStored = new StoredResponse(stored, Body.empty(), variantKey.get(), toOrigin.requestTime(),
                            now, storable.freshnessLifetime());
                    status = status.withStored(storable.freshnessLifetime().minus(FreshnessRule.currentAge(asStored, now)));
                } else if (capture.isCapturing()) {
                    // Offered to the store all the same, so that writing resumes as soon as the store takes one.
                    status = status.withDetail(status.detail().orElse("") + "; not announced as stored: the store failed its last write");
                } else {
                    // Its Content-Length is over the maximum object size: say so rather than "stored".
                    status = status.withDetail(status.detail().orElse("") + "; not stored: larger than the maximum object size");
                    rememberMiss(toOrigin, response, "larger than the maximum object size", now);
                }
            } else {
                counters.skippedNotCacheable.increment();
                status = status.withDetail(status.detail().orElse("") + "; not stored: " + storability.reason());
                if (storability instanceof Storability.DoNotStore refused && refused.cause() == Storability.Cause.RESPONSE) {
                    rememberMiss(toOrigin, response, storability.reason(), now);
                }
            }
        }
        return new Relay(StoredAnswers.withCacheStatus(tagFields.forClient(response), status), capture, status);
    }

    /**
     * Remembers that this GET's key had a response that could not be stored, so that requests for it go
     * to the origin at once for a while (a background refresh stands in for no client, and is a GET too:
     * it counts, as the response would be the same).
     */
    private void rememberMiss(ToOrigin toOrigin, ResponseHead response, String reason, Instant now) {
        if (rememberedMisses.isPresent() && toOrigin.clientRequest().isMethod("GET")) {
            rememberedMisses.get().remember(toOrigin.key(), response.headers(), reason, now);
        }
    }
}
