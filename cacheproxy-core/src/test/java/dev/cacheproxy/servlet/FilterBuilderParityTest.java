package dev.cacheproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.api.ObservableEngine;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.store.EhcacheStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the filter's builder and documentation promise about the engine underneath. */
final class FilterBuilderParityTest {

    @Test
    void theFilterBuilderOffersEverySettingOfTheEngineBuilder() {
        List<String> missing = Arrays.stream(CachingEngine.Builder.class.getMethods())
                .filter(method -> method.getDeclaringClass() == CachingEngine.Builder.class && Modifier.isPublic(method.getModifiers()))
                .filter(method -> !method.getName().equals("build"))
                .filter(method -> !hasSameSetting(method))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new)).stream().toList();
        assertEquals(List.of(), missing, "CachingFilter.Builder lacks these CachingEngine.Builder settings");
    }

    @Test
    void theReadmeGivesTheFiltersDefaultStoreSizes() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains("| `heap-megabytes`, `off-heap-megabytes` | sizes of that default store | "
                        + (EhcacheStore.Builder.DEFAULT_HEAP_BYTES >> 20) + "; " + (EhcacheStore.Builder.DEFAULT_OFF_HEAP_BYTES >> 20)
                        + ", or a quarter of the JVM's direct memory when less |"),
                "the README's filter table states the default store's " + (EhcacheStore.Builder.DEFAULT_HEAP_BYTES >> 20)
                        + " heap megabytes and " + (EhcacheStore.Builder.DEFAULT_OFF_HEAP_BYTES >> 20) + " off-heap megabytes");
    }

    @Test
    void aFilterBuiltByItsBuilderExposesItsEngine() {
        CachingFilter filter = CachingFilter.builder().cacheName("edge").build();
        CachingEngine engine = filter.cachingEngine().orElseThrow();
        assertSame(engine, filter.engine());
        engine.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cacheproxy.servlet.CachingFilterTest#containers")
    void aFilterMadeFromInitParamsPublishesItsEngineForStatistics(ServletContainer.Kind kind) throws Exception {
        Servlets servlets = new Servlets();
        try (ServletContainer container = kind.start((classes, context) -> {
            FilterRegistration.Dynamic registration = context.addFilter("edge-cache", CachingFilter.class);
            registration.setInitParameter(CachingFilter.CACHE_NAME, "edge");
            registration.setInitParameter(CachingFilter.HEAP_MEGABYTES, "8");
            registration.setInitParameter(CachingFilter.OFF_HEAP_MEGABYTES, "4");
            registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/cached/*");
            servlets.serve(context, "page", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.getWriter().print("page");
            });
            servlets.serve(context, "statistics", (request, response) -> {
                ObservableEngine engine = (ObservableEngine) request.getServletContext()
                        .getAttribute(CachingFilter.ENGINE_ATTRIBUTE + ".edge-cache");
                response.getWriter().print("hits=" + engine.statistics().hits());
            });
        })) {
            Client client = new Client(container.port());
            client.get("/cached/page");
            client.get("/cached/page");

            assertEquals("hits=1", new String(client.get("/direct/statistics").body(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cacheproxy.servlet.CachingFilterTest#containers")
    void initParamsNameTheKeyFunctionAndTheRequestNormalizer(ServletContainer.Kind kind) throws Exception {
        Servlets servlets = new Servlets();
        try (ServletContainer container = kind.start((classes, context) -> {
            FilterRegistration.Dynamic registration = context.addFilter("edge-cache", CachingFilter.class);
            registration.setInitParameter(CachingFilter.KEY_FUNCTION_CLASS, TenantKeys.class.getName());
            registration.setInitParameter(CachingFilter.REQUEST_NORMALIZER_CLASS, NoDebugHeader.class.getName());
            registration.setInitParameter(CachingFilter.REMEMBER_MISSES_SECONDS, "30");
            registration.setInitParameter(CachingFilter.HEAP_ENTRIES, "100");
            registration.setInitParameter(CachingFilter.OFF_HEAP_MEGABYTES, "4");
            registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/cached/*");
            servlets.serve(context, "page", (request, response) -> {
                response.setHeader("Cache-Control", "max-age=60");
                response.getWriter().print(request.getHeader("X-Tenant") + " debug=" + request.getHeader("X-Debug"));
            });
        })) {
            Client client = new Client(container.port());
            HttpResponse<byte[]> acme = client.get("/cached/page", "X-Tenant", "acme", "X-Debug", "on");
            HttpResponse<byte[]> globex = client.get("/cached/page", "X-Tenant", "globex");
            HttpResponse<byte[]> acmeAgain = client.get("/cached/page", "X-Tenant", "acme");

            assertEquals("acme debug=null", new String(acme.body(), StandardCharsets.UTF_8));
            assertEquals("globex debug=null", new String(globex.body(), StandardCharsets.UTF_8));
            assertTrue(acmeAgain.headers().firstValue("Cache-Status").orElseThrow().contains("hit"));
            assertEquals(2, servlets.served("/cached/page"));
        }
    }

    private static boolean hasSameSetting(Method engineSetting) {
        try {
            Method filterSetting = CachingFilter.Builder.class.getMethod(engineSetting.getName(), engineSetting.getParameterTypes());
            return filterSetting.getReturnType() == CachingFilter.Builder.class;
        } catch (NoSuchMethodException missing) {
            return false;
        }
    }
}
