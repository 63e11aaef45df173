package dev.cacheproxy.core;

import dev.cacheproxy.api.ExchangePlan.ToOrigin;
import dev.cacheproxy.api.HeaderField;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.RequestNormalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of the {@link RequestNormalizer}: runs it, contains its faults, and says how the
 * request sent to the origin must differ from the client's so that the origin gets the normalised fields.
 */
final class RequestNormalization {

    private static final Logger LOG = LoggerFactory.getLogger(RequestNormalization.class);

    /** The fields to set and to remove on the client's request to make it the normalised one. */
    record Changes(HeaderFields set, List<String> remove) {
        static final Changes NONE = new Changes(HeaderFields.empty(), List.of());

        Changes {
            Objects.requireNonNull(set, "set");
            remove = List.copyOf(remove);
        }

        /** The plan sending these changes as well as its own, which win for the names they touch. */
        ToOrigin onto(ToOrigin plan) {
            if (set.isEmpty() && remove.isEmpty()) {
                return plan;
            }
            Changes sent = then(plan.setFields(), plan.removeFields());
            return new ToOrigin(plan.clientRequest(), plan.key(), sent.set(), sent.remove(), plan.validating(),
                    plan.requestTime(), plan.cacheStatus());
        }

        /** These changes, then those (which win for the names they set or remove). */
        Changes then(HeaderFields moreSet, List<String> moreRemove) {
            if (set.isEmpty() && remove.isEmpty()) {
                return new Changes(moreSet, moreRemove);
            }
            HeaderFields.Builder combinedSet = set.toBuilder().removeAll(moreSet.names()).removeAll(moreRemove);
            combinedSet.addAll(moreSet);
            List<String> combinedRemove = new ArrayList<>(remove);
            combinedRemove.removeIf(name -> moreSet.contains(name));
            combinedRemove.addAll(moreRemove);
            return new Changes(combinedSet.build(), combinedRemove);
        }
    }

    private final RequestNormalizer normalizer;
    private final LogThrottle faults;

    RequestNormalization(RequestNormalizer normalizer, Duration faultLogInterval) {
        this.normalizer = normalizer;
        this.faults = new LogThrottle(faultLogInterval);
    }

    /** Whether there is any normalizer to run. */
    boolean isNone() {
        return normalizer == RequestNormalizer.NONE;
    }

    /** The request with normalised fields, or empty when the normalizer failed (it is then logged). */
    Optional<RequestHead> apply(RequestHead clientRequest) {
        if (isNone()) {
            return Optional.of(clientRequest);
        }
        try {
            HeaderFields fields = Objects.requireNonNull(normalizer.normalize(clientRequest), "the request normalizer returned null");
            return Optional.of(fields.equals(clientRequest.headers()) ? clientRequest : clientRequest.withHeaders(fields));
        } catch (RuntimeException fault) {
            long heldBack = faults.tryAcquire();
            if (heldBack >= 0) {
                LOG.warn("request normalizer failed for {}; forwarding as sent, uncached ({} more such failures not logged)",
                        clientRequest.uri(), heldBack, fault);
            }
            return Optional.empty();
        }
    }

    /** What turns the client's fields into the normalised ones: each changed name set to its new lines, or removed. */
    static Changes changes(HeaderFields client, HeaderFields normalized) {
        if (client == normalized || client.equals(normalized)) {
            return Changes.NONE;
        }
        Set<String> names = new LinkedHashSet<>();
        for (HeaderField line : client.lines()) {
            names.add(line.lowerCaseName());
        }
        for (HeaderField line : normalized.lines()) {
            names.add(line.lowerCaseName());
        }
        HeaderFields.Builder set = HeaderFields.builder();
        List<String> remove = new ArrayList<>();
        for (String name : names) {
            List<String> before = client.values(name);
            List<String> after = normalized.values(name);
            if (before.equals(after)) {
                continue;
            }
            if (after.isEmpty()) {
                remove.add(name);
            } else {
                for (HeaderField line : normalized.lines()) {
                    if (line.hasName(name)) {
                        set.add(line);
                    }
                }
            }
        }
        return new Changes(set.build(), remove);
    }
}
