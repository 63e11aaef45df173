package dev.cacheproxy.core;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.api.CacheTags;
import dev.cacheproxy.api.ObservableStore;
import dev.cacheproxy.api.PurgeResult;
import dev.cacheproxy.api.TaggedStore;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges on demand, straight through the store (not the guarded view: an operator must learn that a
 * purge failed, where a request would just have been a miss). Each purge is logged at INFO: it is an
 * operator's action, not a request.
 */
final class Purging {

    private static final Logger LOG = LoggerFactory.getLogger(Purging.class);

    private final CacheStore store;
    private final CacheKeyFunction keyFunction;
    private final Optional<RememberedMisses> rememberedMisses;

    /** @param rememberedMisses forgotten with what they are about: a purged key may be storable again */
    Purging(CacheStore store, CacheKeyFunction keyFunction, Optional<RememberedMisses> rememberedMisses) {
        this.store = store;
        this.keyFunction = keyFunction;
        this.rememberedMisses = rememberedMisses;
    }

    PurgeResult url(URI target) {
        Objects.requireNonNull(target, "target");
        if (!target.isAbsolute() || target.getHost() == null) {
            throw new IllegalArgumentException("a purge needs the absolute URI the response was stored under, got \"" + target + "\"");
        }
        return request(new RequestHead("GET", target, HeaderFields.empty()));
    }

    PurgeResult request(RequestHead request) {
        Objects.requireNonNull(request, "request");
        if (request.uri().getHost() == null) {
            throw new IllegalArgumentException("a purge needs the absolute URI the response was stored under, got \"" + request.uri() + "\"");
        }
        // The purge asks about the GET it stands for, whatever method carried it (PURGE, POST).
        CacheKey key = keyFunction.keyFor(request.withMethod("GET"));
        // Read first only to tell the operator whether there was anything to purge.
        boolean held = !store.variants(key).isEmpty();
        store.remove(key);
        rememberedMisses.ifPresent(misses -> misses.forget(key));
        return logged(new PurgeResult("url " + key, OptionalLong.of(held ? 1 : 0)));
    }

    PurgeResult tag(String tag) {
        if (!CacheTags.isTag(tag)) {
            throw new IllegalArgumentException("a tag is a non-empty run of characters without whitespace or commas, got \"" + tag + "\"");
        }
        if (!(store instanceof TaggedStore tagged)) {
            throw new UnsupportedOperationException("the store " + store.getClass().getName()
                    + " keeps no tags (it is not a TaggedStore), so it cannot purge by tag");
        }
        return logged(new PurgeResult("tag " + tag, OptionalLong.of(tagged.removeTagged(tag))));
    }

    PurgeResult all() {
        OptionalLong entries = OptionalLong.empty();
        if (store instanceof ObservableStore observable) {
            try {
                entries = OptionalLong.of(observable.statistics().entries());
            } catch (RuntimeException cannotTell) {
                // The count is for information only; the purge goes ahead without it.
            }
        }
        rememberedMisses.ifPresent(RememberedMisses::clear);
        store.clear();
        return logged(new PurgeResult("all", entries));
    }

    private static PurgeResult logged(PurgeResult result) {
        LOG.info("purged {}: {} entries", result.scope(),
                result.entries().isPresent() ? Long.toString(result.entries().getAsLong()) : "an unknown number of");
        return result;
    }
}
