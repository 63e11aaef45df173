package dev.cacheproxy.testing;

import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.core.CacheKeys;
import java.util.List;
import java.util.stream.Stream;

/**
 * One row per ready-made cache key piece: two requests (paths under {@code /p} or {@code /P}) and whether
 * the key function makes them share one stored response. Each integration's test runs every row.
 */
public final class CacheKeyCases {

    private CacheKeyCases() {
    }

    /** Two requests, and whether the key function makes them share one stored response. */
    public record Case(String name, CacheKeyFunction keys, String first, List<String> firstHeaders, String second,
                List<String> secondHeaders, boolean shared) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static Stream<Case> cases() {
        return Stream.of(
                new Case("ignored utm_* parameters share", CacheKeys.targetUri().ignoreQueryParameters("utm_*", "gclid"),
                        "/p?id=1&utm_source=news&gclid=7", List.of(), "/p?utm_medium=mail&id=1", List.of(), true),
                new Case("an ignored parameter leaves the others keyed", CacheKeys.targetUri().ignoreQueryParameters("utm_*"),
                        "/p?id=1&utm_source=news", List.of(), "/p?id=2&utm_source=news", List.of(), false),
                new Case("the allow-list keeps only its parameters", CacheKeys.targetUri().keepOnlyQueryParameters("id"),
                        "/p?id=1&session=a", List.of(), "/p?session=b&id=1", List.of(), true),
                new Case("the allow-list still tells its own parameters apart", CacheKeys.targetUri().keepOnlyQueryParameters("id"),
                        "/p?id=1", List.of(), "/p?id=2", List.of(), false),
                new Case("sorted parameters share whatever their order", CacheKeys.targetUri().sortQueryParameters(),
                        "/p?a=1&b=2", List.of(), "/p?b=2&a=1", List.of(), true),
                new Case("a dropped query shares with no query", CacheKeys.targetUri().dropQuery(),
                        "/p?page=2", List.of(), "/p", List.of(), true),
                new Case("a lower-cased path shares across case", CacheKeys.targetUri().lowerCasePath(),
                        "/P", List.of(), "/p", List.of(), true),
                new Case("by default case and order split the cache", CacheKeyFunction.TARGET_URI,
                        "/p?a=1&b=2", List.of(), "/p?b=2&a=1", List.of(), false),
                new Case("a header dimension keeps tenants apart", CacheKeys.targetUri().withHeader("X-Tenant"),
                        "/p", List.of("X-Tenant", "acme"), "/p", List.of("X-Tenant", "globex"), false),
                new Case("a header dimension shares within a tenant", CacheKeys.targetUri().withHeader("X-Tenant"),
                        "/p", List.of("X-Tenant", "acme"), "/p", List.of("X-Tenant", "acme"), true),
                new Case("a header dimension tells absent from present", CacheKeys.targetUri().withHeader("X-Tenant"),
                        "/p", List.of(), "/p", List.of("X-Tenant", ""), false),
                new Case("a cookie dimension keeps tenants apart", CacheKeys.targetUri().withCookie("tenant"),
                        "/p", List.of("Cookie", "a=1; tenant=acme"), "/p", List.of("Cookie", "tenant=globex; a=1"), false),
                new Case("a cookie dimension shares within a tenant, other cookies aside",
                        CacheKeys.targetUri().withCookie("tenant"),
                        "/p", List.of("Cookie", "a=1; tenant=acme"), "/p", List.of("Cookie", "tenant=acme; b=2"), true));
    }

}
