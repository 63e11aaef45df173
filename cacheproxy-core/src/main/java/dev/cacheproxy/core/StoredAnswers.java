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

/**
 * The client's answer from a stored response: the stored head as clients see it, with {@code Age}
 * (RFC 9111 §5.1) and {@code Cache-Status}; a 304 when the client's own precondition holds (§4.3.2);
 * a 206 or 416 for a {@code Range} (RFC 9110 §14); no body for {@code HEAD}. This runs on every hit.
 */
final class StoredAnswers {

    private final TagFields tagFields;

    StoredAnswers(TagFields tagFields) {
        this.tagFields = tagFields;
    }

    /** RFC 9211 §2: each cache appends its member, so ours comes after any from caches nearer the origin. */
    static ResponseHead withCacheStatus(ResponseHead head, CacheStatus status) {
        return head.withHeaders(head.headers().toBuilder().add("Cache-Status", status.toHeaderValue()).build());
    }

    /** The answer to this request from this stored response, which is this old, with this {@code Cache-Status}. */
    Answer answer(RequestHead clientRequest, StoredResponse stored, Duration age, CacheStatus status) {
        // One pass over the stored fields: this is every hit's path.
        HeaderFields.Builder visible = HeaderFields.builder();
        boolean hasLength = false;
        for (HeaderField line : stored.headers().lines()) {
            if (line.hasName("Age") || tagFields.hiddenFromClients(line)) {
                continue;
            }
            hasLength |= line.hasName("Content-Length");
            visible.add(line);
        }
        visible.add("Age", Long.toString(age.toSeconds()));
        if (!hasLength && stored.status() != 204 && stored.status() != 304) {
            // A body that arrived chunked has a known length now; saying it lets the client reuse the connection.
            visible.add("Content-Length", Integer.toString(stored.body().size()));
        }
        HeaderFields headers = visible.build();
        if (ValidationRule.isConditional(clientRequest) && ValidationRule.notModifiedFor(clientRequest, stored)) {
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
