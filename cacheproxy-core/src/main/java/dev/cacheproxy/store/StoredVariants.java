package dev.cacheproxy.store;

import dev.cacheproxy.api.StoredResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The variants stored under one key: the value type of the Ehcache store.
 *
 * @param responses the variants, oldest first
 */
record StoredVariants(List<StoredResponse> responses) {

    StoredVariants {
        responses = List.copyOf(responses);
    }

    /** These variants with {@code response} replacing its own variant, the oldest dropped beyond {@code maxVariants}. */
    StoredVariants with(StoredResponse response, int maxVariants) {
        List<StoredResponse> updated = new ArrayList<>(responses.size() + 1);
        for (StoredResponse existing : responses) {
            if (!existing.isSameVariantAs(response)) {
                updated.add(existing);
            }
        }
        updated.add(response);
        updated.sort(Comparator.comparing(StoredResponse::responseTime));
        while (updated.size() > maxVariants) {
            updated.remove(0);
        }
        return new StoredVariants(updated);
    }
}
