package dev.cacheproxy.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.ExchangePlan;
import dev.cacheproxy.api.ForwardingCachePolicy;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.Lookup;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import dev.cacheproxy.api.StoredResponse;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.Rfc9111Policy;
import dev.cacheproxy.servlet.CachingFilter;
import dev.cacheproxy.store.EhcacheStore;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the auto-configuration creates from properties, and which beans of the application replace its defaults. */
class CacheproxyAutoConfigurationTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CacheproxyAutoConfiguration.class))
            .withPropertyValues("cacheproxy.store.offheap-size=8MB");

    @Test
    void addingTheStarterAloneCachesNothingAndAllocatesNoStore() {
        runner.run(context -> {
            assertTrue(context.getBeansOfType(CachingEngine.class).isEmpty());
            assertTrue(context.getBeansOfType(EhcacheStore.class).isEmpty());
        });
    }

    @Test
    void urlPatternsTurnTheFilterOnForThem() {
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/api/*,/pages/*").run(context -> {
            FilterRegistrationBean<?> filter = context.getBean("cacheproxyFilter", FilterRegistrationBean.class);
            assertTrue(filter.isEnabled());
            assertEquals(List.of("/api/*", "/pages/*"), List.copyOf(filter.getUrlPatterns()));
            assertTrue(filter.isAsyncSupported());
            assertTrue(filter.getFilter() instanceof CachingFilter);
            assertTrue(filter.getOrder() > -100, "after Spring Security's filters");
        });
    }

    @Test
    void cacheproxyEnabledFalseTurnsEverythingOff() {
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/*", "cacheproxy.enabled=false")
                .run(context -> assertTrue(context.getBeansOfType(CachingEngine.class).isEmpty()));
    }

    @Test
    void theApplicationsCachePolicyBeanReplacesTheDefault() {
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/*").withUserConfiguration(CountingPolicyConfiguration.class)
                .run(context -> {
                    CountingPolicy policy = context.getBean(CountingPolicy.class);
                    context.getBean(CachingEngine.class).onClientRequest(get("http://app.test/page"));

                    assertEquals(1, policy.lookups.get());
                });
    }

    @Test
    void theApplicationsCacheKeyFunctionBeanReplacesTheDefault() {
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/*").withUserConfiguration(QueryFreeKeysConfiguration.class)
                .run(context -> assertEquals(new CacheKey("http://app.test/page"),
                        context.getBean(CachingEngine.class).keyFor(get("http://app.test/page?utm_source=mail"))));
    }

    @Test
    void theApplicationsStoreBeanReplacesTheDefaultOne() {
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/*").withUserConfiguration(OwnStoreConfiguration.class)
                .run(context -> {
                    assertSame(context.getBean("ownStore"), context.getBean(CachingEngine.class).store());
                    assertEquals(1, context.getBeansOfType(EhcacheStore.class).size());
                });
    }

    @Test
    void theStoreIsSizedAndNamedByTheProperties() {
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/*", "cacheproxy.cache-name=edge").run(context -> {
            assertNotNull(context.getBean(EhcacheStore.class));
            assertTrue(context.getBean(CachingEngine.class).onClientRequest(get("http://app.test/x")).cacheStatus()
                    .toHeaderValue().startsWith("edge;"));
        });
    }

    @Test
    void unsetTheMaximumObjectSizeShrinksToFitASmallStore() {
        // 8 MB off heap keeps bodies up to a quarter of it, less room for the head: not the engine's 8 MiB.
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/*").run(context -> {
            CachingEngine engine = context.getBean(CachingEngine.class);
            String oneMebibyte = storingOutcome(engine, 1 << 20);

            assertFalse(oneMebibyte.contains("not stored"), oneMebibyte);
            assertTrue(storingOutcome(engine, 3 << 20).contains("not stored: larger than the maximum object size"));
        });
    }

    @Test
    void aMaximumObjectSizeSetBelowWhatTheStoreKeepsIsUsed() {
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/*", "cacheproxy.max-object-size=512KB").run(context -> {
            CachingEngine engine = context.getBean(CachingEngine.class);

            assertFalse(storingOutcome(engine, 500 * 1024).contains("not stored"));
            assertTrue(storingOutcome(engine, 1 << 20).contains("not stored: larger than the maximum object size"));
        });
    }

    @Test
    void aMaximumObjectSizeLargerThanTheStoreKeepsStopsTheApplicationNamingTheProperties() {
        runner.withPropertyValues("cacheproxy.filter.url-patterns=/*", "cacheproxy.max-object-size=8MB").run(context -> {
            Throwable failure = context.getStartupFailure();
            assertNotNull(failure, "the application does not start");
            Throwable cause = failure;
            while (!(cause instanceof IllegalStateException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            assertTrue(cause.getMessage().startsWith("cacheproxy.max-object-size=8388608B does not fit the store"), cause.getMessage());
            assertTrue(cause.getMessage().contains("cacheproxy.store.offheap-size"), cause.getMessage());
        });
    }

    @Test
    void unsetTheStoreHasTheLibrarysDefaultSize() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(CacheproxyAutoConfiguration.class))
                .withPropertyValues("cacheproxy.filter.url-patterns=/*").run(context -> {
                    try (EhcacheStore libraryDefault = EhcacheStore.builder().build()) {
                        assertEquals(libraryDefault.largestBody(), context.getBean(EhcacheStore.class).largestBody());
                    }
                });
    }

    @Test
    void everyPropertyHasMetadataForIdeCompletion() throws Exception {
        String metadata;
        try (InputStream json = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(json, "the configuration processor wrote the metadata");
            metadata = new String(json.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String property : List.of("cacheproxy.filter.url-patterns", "cacheproxy.routes", "cacheproxy.store.heap-size",
                "cacheproxy.store.offheap-size", "cacheproxy.store.directory", "cacheproxy.store.disk-size", "cacheproxy.admin.token",
                "cacheproxy.admin.allow", "cacheproxy.admin.role", "cacheproxy.max-object-size", "cacheproxy.cache-name",
                "management.health.cacheproxy.enabled", "management.health.cacheproxy-backends.enabled")) {
            assertTrue(metadata.contains("\"name\": \"" + property + "\""), property);
        }
        assertFalse(metadata.contains("\"description\": \"\""));
    }

    /** The Cache-Status the engine gives a cacheable response of this Content-Length, its body never sent. */
    private static String storingOutcome(CachingEngine engine, long contentLength) {
        ExchangePlan.ToOrigin toOrigin = (ExchangePlan.ToOrigin) engine.onClientRequest(get("http://app.test/body-" + contentLength));
        ResponseHead originResponse = new ResponseHead(200,
                HeaderFields.of("Cache-Control", "public, max-age=60", "Content-Length", Long.toString(contentLength)));
        ExchangePlan.OnOriginResponse plan = engine.onOriginResponse(toOrigin, originResponse);
        if (plan instanceof ExchangePlan.Relay relay) {
            relay.capture().abandon("the test sends no body");
        }
        return plan.cacheStatus().toHeaderValue();
    }

    private static RequestHead get(String uri) {
        return new RequestHead("GET", URI.create(uri), HeaderFields.empty());
    }

    /** A user's policy: the standard one, counting the lookups it is asked. */
    static final class CountingPolicy extends ForwardingCachePolicy {

        final AtomicInteger lookups = new AtomicInteger();

        CountingPolicy() {
            super(Rfc9111Policy.sharedCache());
        }

        @Override
        public Lookup lookup(RequestHead request, List<StoredResponse> variants, Instant now) {
            lookups.incrementAndGet();
            return super.lookup(request, variants, now);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CountingPolicyConfiguration {
        @Bean
        CachePolicy countingPolicy() {
            return new CountingPolicy();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class QueryFreeKeysConfiguration {
        @Bean
        CacheKeyFunction queryFreeKeys() {
            return request -> new CacheKey(request.uri().getScheme() + "://" + request.uri().getRawAuthority() + request.path());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStoreConfiguration {
        @Bean(destroyMethod = "close")
        EhcacheStore ownStore() {
            return EhcacheStore.builder().offHeapSize(4L << 20).build();
        }
    }
}
