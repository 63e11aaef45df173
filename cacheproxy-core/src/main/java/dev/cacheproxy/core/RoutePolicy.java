package dev.cacheproxy.core;

import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.Collapsing;
import dev.cacheproxy.api.ForwardReason;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.Storability;
import dev.cacheproxy.api.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@link RouteRules} over another policy. The route's rules work on what the policy underneath sees,
 * never on what is sent: the policy decides on a view of the response (ignored fields taken out, the
 * route's TTL or default {@code stale-*} windows put in), while the client and the store get the
 * origin's fields (less those a rule leaves out of the stored copy).
 */
final class RoutePolicy implements CachePolicy {

    /** Response fields that, when ignored, are also left out of the stored copy. */
    private static final Set<String> NOT_STORED_WHEN_IGNORED = Set.of("set-cookie", "vary");
    /** The cache-control fields a route's defaults are written into, so that a targeted field does not hide them. */
    private static final List<String> CACHE_CONTROL_FIELDS = List.of("Cache-Control", Rfc9111Policy.CDN_CACHE_CONTROL);

    private final RouteRules routes;
    private final CachePolicy policy;

    RoutePolicy(RouteRules routes, CachePolicy policy) {
        this.routes = routes;
        this.policy = policy;
    }

    @Override
    public Storability storability(RequestHead request, ResponseHead response, Instant now) {
        Optional<RouteRule> found = routes.routeFor(request);
        if (found.isEmpty()) {
            return policy.storability(request, response, now);
        }
        RouteRule route = found.get();
        if (route.neverCache()) {
            return new Storability.DoNotStore(route.name() + ": never cached");
        }
        Optional<String> bypass = route.bypassReason(request);
        if (bypass.isPresent()) {
            // A bypassing request must not change what others get: its response is not stored.
            return Storability.DoNotStore.becauseOfRequest(route.name() + ": bypassed, " + bypass.get());
        }
        Storability decided = policy.storability(request, response.withHeaders(decisionView(route, response.headers())), now);
        if (!(decided instanceof Storability.Store store)) {
            return decided;
        }
        Set<String> notStored = new java.util.HashSet<>(store.fieldsNotStored());
        for (String ignored : route.ignoredResponseFields()) {
            if (NOT_STORED_WHEN_IGNORED.contains(ignored)) {
                notStored.add(ignored);
            }
        }
        if (route.ttlOverride().isPresent()) {
            Duration ttl = route.ttlOverride().get();
            return new Storability.Store(ttl, route.name() + ": TTL " + ttl.toSeconds() + " s (origin: " + store.reason() + ")", notStored);
        }
        return new Storability.Store(store.freshnessLifetime(), store.reason(), notStored);
    }

    @Override
    public Lookup lookup(RequestHead request, List<StoredResponse> variants, Instant now) {
        Optional<RouteRule> found = routes.routeFor(request);
        if (found.isEmpty()) {
            return policy.lookup(request, variants, now);
        }
        RouteRule route = found.get();
        if (route.neverCache()) {
            return new Lookup.Forward(ForwardReason.BYPASS, route.name() + ": never cached");
        }
        Optional<String> bypass = route.bypassReason(request);
        if (bypass.isPresent()) {
            return new Lookup.Forward(ForwardReason.BYPASS, route.name() + ": bypassed, " + bypass.get());
        }
        if (!changesStoredView(route)) {
            return policy.lookup(request, variants, now);
        }
        Map<StoredResponse, StoredResponse> originals = new IdentityHashMap<>();
        List<StoredResponse> viewed = new ArrayList<>(variants.size());
        for (StoredResponse stored : variants) {
            StoredResponse view = viewOf(route, stored);
            originals.put(view, stored);
            viewed.add(view);
        }
        return original(policy.lookup(request, viewed, now), originals);
    }

    @Override
    public Optional<StoredResponse> selectVariant(RequestHead request, List<StoredResponse> variants) {
        Optional<RouteRule> found = routes.routeFor(request);
        if (found.isEmpty() || !changesStoredView(found.get())) {
            return policy.selectVariant(request, variants);
        }
        Map<StoredResponse, StoredResponse> originals = new IdentityHashMap<>();
        List<StoredResponse> viewed = new ArrayList<>(variants.size());
        for (StoredResponse stored : variants) {
            StoredResponse view = viewOf(found.get(), stored);
            originals.put(view, stored);
            viewed.add(view);
        }
        return policy.selectVariant(request, viewed).map(view -> originals.getOrDefault(view, view));
    }

    /** The policy's answer: it is asked about a stored response alone, so no route applies. */
    @Override
    public boolean mustRevalidate(StoredResponse stored) {
        return policy.mustRevalidate(stored);
    }

    @Override
    public Optional<Lookup.Reuse> reuseOnOriginError(RequestHead request, StoredResponse stored, OptionalInt errorStatus,
                                                     Instant now) {
        Optional<RouteRule> found = routes.routeFor(request);
        if (found.isEmpty() || !changesStoredView(found.get())) {
            return policy.reuseOnOriginError(request, stored, errorStatus, now);
        }
        StoredResponse view = viewOf(found.get(), stored);
        return policy.reuseOnOriginError(request, view, errorStatus, now)
                .map(reuse -> new Lookup.Reuse(stored, reuse.age(), reuse.ttl(), reuse.reason(), reuse.revalidateInBackground()));
    }

    @Override
    public Collapsing collapsing(RequestHead request, Instant now) {
        Optional<RouteRule> found = routes.routeFor(request);
        if (found.isEmpty()) {
            return policy.collapsing(request, now);
        }
        if (!found.get().collapse()) {
            return new Collapsing.Refused(found.get().name() + ": not collapsed");
        }
        return policy.collapsing(request, now);
    }

    /**
     * The response fields the policy decides on: without the ignored ones; with {@code max-age} set to
     * the route's override, or to its TTL for a response that states no freshness.
     */
    private static HeaderFields decisionView(RouteRule route, HeaderFields headers) {
        HeaderFields view = headers;
        if (!route.ignoredResponseFields().isEmpty()) {
            view = view.toBuilder().removeAll(route.ignoredResponseFields()).build();
        }
        Optional<Duration> ttl = route.ttlOverride();
        if (ttl.isPresent()) {
            view = view.toBuilder().remove("Expires").build();
            view = rewriteCacheControl(view, "Cache-Control", directives -> directives.without("max-age", "s-maxage")
                    .with("max-age", Long.toString(ttl.get().toSeconds())), true);
            view = rewriteCacheControl(view, Rfc9111Policy.CDN_CACHE_CONTROL, directives -> directives.without("max-age", "s-maxage"), false);
        } else if (route.ttlWhenOriginSilent().isPresent() && statesNoFreshness(view)) {
            view = rewriteCacheControl(view, "Cache-Control",
                    directives -> directives.with("max-age", Long.toString(route.ttlWhenOriginSilent().get().toSeconds())), true);
        }
        return view;
    }

    /** RFC 9111 §4.2.1: no {@code s-maxage}, {@code max-age} or {@code Expires} in any field this cache reads. */
    private static boolean statesNoFreshness(HeaderFields headers) {
        for (String field : CACHE_CONTROL_FIELDS) {
            CacheControl directives = CacheControl.parse(headers, field);
            if (directives.has("max-age") || directives.has("s-maxage")) {
                return false;
            }
        }
        return !headers.contains("Expires");
    }

    private static boolean changesStoredView(RouteRule route) {
        return !route.ignoredResponseFields().isEmpty() || route.staleWhileRevalidate().isPresent() || route.staleIfError().isPresent();
    }

    /** A stored response as the policy sees it on this route: ignored fields out, default {@code stale-*} windows in. */
    private static StoredResponse viewOf(RouteRule route, StoredResponse stored) {
        HeaderFields view = stored.headers();
        if (!route.ignoredResponseFields().isEmpty()) {
            view = view.toBuilder().removeAll(route.ignoredResponseFields()).build();
        }
        for (String field : CACHE_CONTROL_FIELDS) {
            boolean always = field.equals("Cache-Control");
            if (route.staleWhileRevalidate().isPresent()) {
                Duration window = route.staleWhileRevalidate().get();
                view = rewriteCacheControl(view, field, directives -> directives.has("stale-while-revalidate")
                        ? directives : directives.with("stale-while-revalidate", Long.toString(window.toSeconds())), always);
            }
            if (route.staleIfError().isPresent()) {
                Duration window = route.staleIfError().get();
                view = rewriteCacheControl(view, field, directives -> directives.has("stale-if-error")
                        ? directives : directives.with("stale-if-error", Long.toString(window.toSeconds())), always);
            }
        }
        return new StoredResponse(stored.head().withHeaders(view), stored.body(), stored.variantKey(), stored.requestTime(),
                stored.responseTime(), stored.freshnessLifetime());
    }

    /** The fields with one cache-control field's directives changed; {@code evenWhenAbsent} adds the field when missing. */
    private static HeaderFields rewriteCacheControl(HeaderFields headers, String field,
                                                    java.util.function.UnaryOperator<CacheControl> change, boolean evenWhenAbsent) {
        if (!headers.contains(field) && !evenWhenAbsent) {
            return headers;
        }
        CacheControl changed = change.apply(CacheControl.parse(headers, field));
        return changed.isEmpty() ? headers.without(field) : headers.with(field, changed.toFieldValue());
    }

    /** The policy's answer about views, turned back into one about the stored responses themselves. */
    private static Lookup original(Lookup lookup, Map<StoredResponse, StoredResponse> originals) {
        if (lookup instanceof Lookup.Reuse reuse) {
            return new Lookup.Reuse(originals.getOrDefault(reuse.response(), reuse.response()), reuse.age(), reuse.ttl(),
                    reuse.reason(), reuse.revalidateInBackground());
        }
        if (lookup instanceof Lookup.Validate validate) {
            return new Lookup.Validate(originals.getOrDefault(validate.response(), validate.response()), validate.forwardReason(),
                    validate.reason());
        }
        return lookup;
    }
}
