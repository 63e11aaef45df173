package dev.cacheproxy.core;

import dev.cacheproxy.api.Body;
import dev.cacheproxy.api.CacheStatus;
import dev.cacheproxy.api.ExchangePlan.Answer;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The client's answer from a stored response: the stored head as clients see it, with {@code Age}
 * (RFC 9111 §5.1) and {@code Cache-Status}; a 304 when the client's own precondition holds (§4.3.2);
 * a 206 or 416 for a {@code Range} (RFC 9110 §14); no body for {@code HEAD}. This runs on every hit.
 */
final class StoredAnswers {

    /** Slots of {@link #recent}: a power of two. */
    private static final int RECENT_SLOTS = 256;
    /** Bodies up to this size may be remembered; it bounds what {@link #recent} keeps alive after eviction (16 MiB). */
    private static final int RECENT_MAX_BODY = 64 * 1024;

    private final TagFields tagFields;
    /**
     * The last plain answer built in each slot, by the stored response's identity: a hot object asked
     * again within the same second (same age, same status) gets the same immutable answer instead of a
     * new copy of its fields, so a hit allocates next to nothing here. A collision just builds anew.
     */
    private final AtomicReferenceArray<Recent> recent = new AtomicReferenceArray<>(RECENT_SLOTS);

    private record Recent(StoredResponse stored, long ageSeconds, boolean head, CacheStatus status, Answer answer) {
    }

    /**
     * Rendered {@code Cache-Status} values by their status: objects stored at about the same time share
     * their {@code ttl}, so the many objects of a large working set share a few dozen values.
     */
    private final BoundedMemo<CacheStatus, String> statusValues = new BoundedMemo<>(RECENT_SLOTS, CacheStatus::toHeaderValue);

    StoredAnswers(TagFields tagFields) {
        this.tagFields = tagFields;
    }

    /** RFC 9211 §2: each cache appends its member, so ours comes after any from caches nearer the origin. */
    static ResponseHead withCacheStatus(ResponseHead head, CacheStatus status) {
        return head.withHeaders(head.headers().toBuilder().add("Cache-Status", status.toHeaderValue()).build());
    }

    /** The answer to this request from this stored response, which is this old, with this {@code Cache-Status}. */
    Answer answer(RequestHead clientRequest, StoredResponse stored, Duration age, CacheStatus status) {
        boolean conditional = ValidationRule.isConditional(clientRequest);
        boolean plain = !conditional && !clientRequest.headers().contains("Range");
        boolean head = clientRequest.isMethod("HEAD");
        long ageSeconds = age.toSeconds();
        int slot = System.identityHashCode(stored) & (RECENT_SLOTS - 1);
        if (plain) {
            Recent last = recent.get(slot);
            if (last != null && last.stored() == stored && last.ageSeconds() == ageSeconds && last.head() == head
                    && last.status().equals(status)) {
                return last.answer();
            }
        }
        // One pass over the stored fields: this is every hit's path.
        HeaderFields.Builder visible = HeaderFields.builder();
        boolean hasLength = false;
        for (HeaderField line : stored.headers().lines()) {
            // A stored Set-Cookie (from a store written by an older version) is never replayed to anyone.
            if (line.hasName("Age") || tagFields.hiddenFromClients(line) || StoredFieldsRule.isOneClientOnly(line)) {
                continue;
            }
            hasLength |= line.hasName("Content-Length");
            visible.add(line);
        }
        visible.add("Age", Long.toString(ageSeconds));
        if (!hasLength && stored.status() != 204 && stored.status() != 304) {
            // A body that arrived chunked has a known length now; saying it lets the client reuse the connection.
            visible.add("Content-Length", Integer.toString(stored.body().size()));
        }
        if (plain) {
            // The plain hit: Cache-Status goes into the builder already filled, and the fields are copied once.
            Body body = head ? Body.empty() : stored.body();
            HeaderFields withStatus = visible.add("Cache-Status", statusValues.apply(status)).build();
            Answer answer = new Answer(new ResponseHead(stored.status(), withStatus), body, status);
            if (stored.body().size() <= RECENT_MAX_BODY) {
                recent.set(slot, new Recent(stored, ageSeconds, head, status, answer));
            }
            return answer;
        }
        HeaderFields headers = visible.build();
        if (conditional && ValidationRule.notModifiedFor(clientRequest, stored)) {
            // §4.3.2: the client's own precondition holds for the stored response: answer 304.
            HeaderFields notModified = headers.without("Content-Length", "Content-Type", "Content-Encoding",
                    "Content-Range", "Content-Language");
            return new Answer(withCacheStatus(new ResponseHead(304, notModified), status), Body.empty(), status);
        }
        RangeRule.Outcome range = RangeRule.decide(clientRequest, stored, stored.body().size());
        if (range instanceof RangeRule.Part part) {
            Body slice = stored.body().slice((int) part.first(), (int) part.last() + 1);
            HeaderFields partHeaders = headers.toBuilder()
                    .set("Content-Range", part.contentRange())
                    .set("Content-Length", Integer.toString(slice.size()))
                    .build();
            return new Answer(withCacheStatus(new ResponseHead(206, partHeaders), status), slice, status);
        }
        if (range instanceof RangeRule.Unsatisfiable unsatisfiable) {
            HeaderFields unsatisfiableHeaders = headers.toBuilder()
                    .set("Content-Range", unsatisfiable.contentRange())
                    .set("Content-Length", "0")
                    .remove("Content-Type")
                    .build();
            return new Answer(withCacheStatus(new ResponseHead(416, unsatisfiableHeaders), status), Body.empty(), status);
        }
        Body body = clientRequest.isMethod("HEAD") ? Body.empty() : stored.body();
        // The plain hit: Cache-Status goes into the builder already filled, not into yet another copy.
        HeaderFields withStatus = visible.add("Cache-Status", status.toHeaderValue()).build();
        return new Answer(new ResponseHead(stored.status(), withStatus), body, status);
    }
}
