package dev.cacheproxy.core;

import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * RFC 9111 §4.3.4 and §4.3.5: a stored response brought up to date by a response without a body, a
 * 304 to its validation or a 200 to a {@code HEAD}. Both merge the new header fields into the stored
 * head (§3.2), ask the policy whether the result may stay stored, and keep the stored body.
 */
final class StoredResponseUpdate {

    /**
     * A stored response updated.
     *
     * @param response    the updated response, to answer with and, when {@code storability} allows, to store
     * @param storability whether it may be stored again, and why
     */
    record Updated(StoredResponse response, Storability storability) {

        /** Whether the updated response replaces the stored one; otherwise the stored one is removed. */
        boolean storable() {
            return storability instanceof Storability.Store;
        }
    }

    private final GuardedPolicy policy;
    private final TagFields tagFields;

    StoredResponseUpdate(GuardedPolicy policy, TagFields tagFields) {
        this.policy = policy;
        this.tagFields = tagFields;
    }

    /**
     * §4.3.4: the validated response updated by the origin's 304; empty when the 304's validators match
     * nothing stored, in which case it cannot be used to answer and the stored response is suspect.
     */
    Optional<Updated> byNotModified(RequestHead clientRequest, StoredResponse validated, ResponseHead notModified,
                                    Instant requestTime, Instant now) {
        if (!NotModifiedRule.refersTo(notModified, validated)) {
            return Optional.empty();
        }
        ResponseHead merged = merged(validated, notModified);
        // The 304 may change Vary: the updated response is the variant of this request under the new one.
        return Optional.of(update(clientRequest, validated, merged, notModified, VaryRule.variantKey(merged.headers(), clientRequest),
                requestTime, now));
    }

    /**
     * §4.3.5: the stored {@code GET} response updated by a 200 to a {@code HEAD}, as a 304 would update
     * it; empty when the {@code HEAD} response shows the representation changed (other validators or
     * length) or gives no validator to tell, in which case the stored response is out of date.
     */
    Optional<Updated> byHead(RequestHead headRequest, StoredResponse stored, ResponseHead headResponse,
                             Instant requestTime, Instant now) {
        Optional<String> length = headResponse.headers().first("Content-Length");
        boolean sameLength = length.isEmpty() || length.get().equals(Integer.toString(stored.body().size()));
        boolean hasValidator = headResponse.headers().contains("ETag") || headResponse.headers().contains("Last-Modified");
        if (!sameLength || !hasValidator || !NotModifiedRule.refersTo(headResponse, stored)) {
            return Optional.empty();
        }
        // It updates the variant the policy selected, in its place.
        return Optional.of(update(headRequest, stored, merged(stored, headResponse), headResponse, Optional.of(stored.variantKey()),
                requestTime, now));
    }

    private ResponseHead merged(StoredResponse stored, ResponseHead update) {
        return tagFields.forStorage(NotModifiedRule.merge(stored.head(), update));
    }

    private Updated update(RequestHead request, StoredResponse stored, ResponseHead merged, ResponseHead origin,
                           Optional<String> variantKey, Instant requestTime, Instant now) {
        // A HEAD validates or updates the stored GET response: whether it may stay stored is the GET's question,
        // weighed on the response as its client gets it (a Set-Cookie of the 304 or HEAD included; the merged
        // head, which is what is stored, never has one).
        Storability storability = policy.storability(request.withMethod("GET"), StoredFieldsRule.withOneClientFieldsOf(merged, origin), now);
        if (storability instanceof Storability.Store store && !store.fieldsNotStored().isEmpty()) {
            // A rule keeps fields out of the stored copy; without an ignored Vary, the variant is the one of no Vary.
            merged = merged.withHeaders(merged.headers().toBuilder().removeAll(store.fieldsNotStored()).build());
            if (store.fieldsNotStored().contains("vary")) {
                variantKey = VaryRule.variantKey(merged.headers(), request);
            }
        }
        if (storability instanceof Storability.Store && variantKey.isEmpty()) {
            storability = new Storability.DoNotStore("Vary: * never matches a later request");
        }
        Duration lifetime = storability instanceof Storability.Store store ? store.freshnessLifetime() : Duration.ZERO;
        StoredResponse updated = new StoredResponse(merged, stored.body(), variantKey.orElse(stored.variantKey()),
                requestTime, now, lifetime);
        return new Updated(updated, storability);
    }
}
