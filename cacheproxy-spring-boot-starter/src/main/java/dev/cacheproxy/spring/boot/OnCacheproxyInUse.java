package dev.cacheproxy.spring.boot;

import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code cacheproxy.filter.url-patterns} or a {@code cacheproxy.routes} entry is set: adding
 * the starter alone caches nothing and allocates no store.
 */
final class OnCacheproxyInUse extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Binder binder = Binder.get(context.getEnvironment());
        List<String> patterns = binder.bind("cacheproxy.filter.url-patterns", Bindable.listOf(String.class)).orElse(List.of());
        Map<String, Object> routes = binder.bind("cacheproxy.routes", Bindable.mapOf(String.class, Object.class)).orElse(Map.of());
        if (!patterns.isEmpty()) {
            return ConditionOutcome.match("cacheproxy.filter.url-patterns is set");
        }
        if (!routes.isEmpty()) {
            return ConditionOutcome.match("cacheproxy.routes is set");
        }
        return ConditionOutcome.noMatch("neither cacheproxy.filter.url-patterns nor cacheproxy.routes is set");
    }
}
