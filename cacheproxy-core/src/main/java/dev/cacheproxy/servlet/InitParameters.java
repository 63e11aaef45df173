package dev.cacheproxy.servlet;

import dev.cacheproxy.api.CacheKeyFunction;
import dev.cacheproxy.api.CachePolicy;
import dev.cacheproxy.api.RequestNormalizer;
import dev.cacheproxy.api.CacheStore;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.core.ClientForwarding;
import dev.cacheproxy.store.EhcacheStore;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Builds the engine of a {@link CachingFilter} from its init-params (in {@code web.xml} or set in code). */
final class InitParameters {

    static final Set<String> NAMES = Set.of(CachingFilter.CACHE_NAME, CachingFilter.MAX_OBJECT_SIZE,
            CachingFilter.POLICY_CLASS, CachingFilter.STORE_CLASS, CachingFilter.HEAP_MEGABYTES, CachingFilter.HEAP_ENTRIES,
            CachingFilter.KEY_FUNCTION_CLASS,
            CachingFilter.REQUEST_NORMALIZER_CLASS, CachingFilter.REMEMBER_MISSES_SECONDS,
            CachingFilter.OFF_HEAP_MEGABYTES, CachingFilter.TRUSTED_PROXIES, CachingFilter.STRIP_REQUEST_HEADERS);

    private final FilterConfig config;

    InitParameters(FilterConfig config) {
        this.config = config;
    }

    /** The names of this filter's init-params that are set; a misspelt one fails early. */
    List<String> namesSet() throws ServletException {
        List<String> set = new ArrayList<>();
        for (String name : Collections.list(config.getInitParameterNames())) {
            if (!NAMES.contains(name)) {
                throw new ServletException("filter " + config.getFilterName() + ": unknown init-param \"" + name
                        + "\"; known: " + String.join(", ", NAMES.stream().sorted().toList()));
            }
            set.add(name);
        }
        return set;
    }

    /** How forwarding fields are treated, when an init-param says (the same validation as the proxy servlet's). */
    Optional<ClientForwarding> forwarding() throws ServletException {
        namesSet();
        try {
            return ClientForwarding.fromSettings(name -> switch (name) {
                case "trustedProxies" -> config.getInitParameter(CachingFilter.TRUSTED_PROXIES);
                case "stripRequestHeaders" -> config.getInitParameter(CachingFilter.STRIP_REQUEST_HEADERS);
                default -> null;
            });
        } catch (IllegalArgumentException badValue) {
            throw new ServletException("filter " + config.getFilterName() + ": " + badValue.getMessage(), badValue);
        }
    }

    /** A new engine as the init-params say; the filter owns it. */
    CachingEngine engine() throws ServletException {
        namesSet();
        try {
            CachingEngine.Builder engine = CachingEngine.builder();
            text(CachingFilter.CACHE_NAME).ifPresent(engine::cacheName);
            number(CachingFilter.MAX_OBJECT_SIZE).ifPresent(engine::maxObjectSize);
            Optional<String> policyClass = text(CachingFilter.POLICY_CLASS);
            if (policyClass.isPresent()) {
                engine.policy(instanceOf(policyClass.get(), CachePolicy.class));
            }
            Optional<String> keyFunctionClass = text(CachingFilter.KEY_FUNCTION_CLASS);
            if (keyFunctionClass.isPresent()) {
                engine.cacheKeys(instanceOf(keyFunctionClass.get(), CacheKeyFunction.class));
            }
            Optional<String> normalizerClass = text(CachingFilter.REQUEST_NORMALIZER_CLASS);
            if (normalizerClass.isPresent()) {
                engine.normalizeRequests(instanceOf(normalizerClass.get(), RequestNormalizer.class));
            }
            number(CachingFilter.REMEMBER_MISSES_SECONDS).ifPresent(seconds -> engine.rememberMissesFor(Duration.ofSeconds(seconds)));
            engine.store(store());
            return engine.build();
        } catch (IllegalArgumentException badValue) {
            throw new ServletException("filter " + config.getFilterName() + ": " + badValue.getMessage(), badValue);
        }
    }

    private CacheStore store() throws ServletException {
        Optional<String> storeClass = text(CachingFilter.STORE_CLASS);
        Optional<Long> heapMegabytes = number(CachingFilter.HEAP_MEGABYTES);
        Optional<Long> heapEntries = number(CachingFilter.HEAP_ENTRIES);
        Optional<Long> offHeap = number(CachingFilter.OFF_HEAP_MEGABYTES);
        if (storeClass.isPresent()) {
            if (heapMegabytes.isPresent() || heapEntries.isPresent() || offHeap.isPresent()) {
                throw new IllegalArgumentException(CachingFilter.HEAP_MEGABYTES + ", " + CachingFilter.HEAP_ENTRIES + " and "
                        + CachingFilter.OFF_HEAP_MEGABYTES + " size the default store; they do not apply to " + CachingFilter.STORE_CLASS);
            }
            return instanceOf(storeClass.get(), CacheStore.class);
        }
        if (heapMegabytes.isPresent() && heapEntries.isPresent()) {
            throw new IllegalArgumentException(CachingFilter.HEAP_MEGABYTES + " and " + CachingFilter.HEAP_ENTRIES
                    + " are two ways to size the same heap tier: give one");
        }
        EhcacheStore.Builder store = EhcacheStore.builder();
        if (heapMegabytes.isPresent()) {
            long megabytes = heapMegabytes.get();
            if (megabytes < 1 || megabytes > Long.MAX_VALUE >> 20) {
                throw new IllegalArgumentException(CachingFilter.HEAP_MEGABYTES + " must be at least 1, got " + megabytes);
            }
            store.heapSize(megabytes << 20);
        }
        heapEntries.ifPresent(store::heapEntries);
        offHeap.ifPresent(store::offHeapMegabytes);
        return store.build();
    }

    private Optional<String> text(String name) {
        return Optional.ofNullable(config.getInitParameter(name)).map(String::strip).filter(value -> !value.isEmpty());
    }

    private Optional<Long> number(String name) {
        Optional<String> value = text(name);
        try {
            return value.map(Long::parseLong);
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("init-param " + name + " must be a whole number, got \"" + value.get() + "\"");
        }
    }

    /** An instance from a public no-arg constructor, or else from the one public static no-arg factory method. */
    private <T> T instanceOf(String className, Class<T> type) throws ServletException {
        Class<?> loaded;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            loaded = Class.forName(className, true, loader != null ? loader : InitParameters.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError notFound) {
            throw new ServletException("filter " + config.getFilterName() + ": class " + className + " not found", notFound);
        }
        if (!type.isAssignableFrom(loaded)) {
            throw new ServletException("filter " + config.getFilterName() + ": " + className + " is not a " + type.getName());
        }
        try {
            try {
                return type.cast(loaded.getConstructor().newInstance());
            } catch (NoSuchMethodException noConstructor) {
                return type.cast(factoryMethod(loaded, type).invoke(null));
            }
        } catch (ReflectiveOperationException | RuntimeException failed) {
            Throwable cause = failed instanceof InvocationTargetException invocation ? invocation.getCause() : failed;
            throw new ServletException("filter " + config.getFilterName() + ": cannot make a " + className + ": " + cause, cause);
        }
    }

    private static Method factoryMethod(Class<?> loaded, Class<?> type) throws NoSuchMethodException {
        List<Method> factories = new ArrayList<>();
        for (Method method : loaded.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) && method.getParameterCount() == 0
                    && type.isAssignableFrom(method.getReturnType())) {
                factories.add(method);
            }
        }
        if (factories.size() != 1) {
            throw new NoSuchMethodException(loaded.getName() + " needs a public no-arg constructor or exactly one public static"
                    + " no-arg method returning " + type.getSimpleName() + ", found " + factories.size() + " such methods");
        }
        return factories.get(0);
    }
}
