package dev.cacheproxy.spring.boot;

import dev.cacheproxy.api.PurgeResult;
import dev.cacheproxy.core.CachingEngine;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.lang.Nullable;

/**
 * The Actuator endpoint {@code cacheproxy}: {@code GET /actuator/cacheproxy} answers the engine's
 * statistics; {@code POST /actuator/cacheproxy} with {@code {"url": "..."}}, {@code {"tag": "..."}} or
 * {@code {"all": true}} purges; a {@code url} is the one clients use, and the purge removes what a
 * {@code GET} of it stored, through the filter or a {@code cacheproxy.routes} route (whatever the
 * backends' path). Purging is off by default ({@code management.endpoint.cacheproxy.access}
 * is {@code read-only}); with Spring Security in use it also needs the role {@code cacheproxy.admin.role}.
 */
@WebEndpoint(id = "cacheproxy", defaultAccess = Access.READ_ONLY)
public class CacheproxyEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(CacheproxyEndpoint.class);

    private final CachingEngine engine;
    private final BooleanSupplier securityInUse;
    private final String purgeRole;
    private final Function<URI, PurgeResult> urlPurge;

    /**
     * An endpoint on this engine whose URL purges go through {@code urlPurge}, which routes the URL as a
     * request for it is (the auto-configuration's purges the filter's and every route's key).
     *
     * @param engine        the engine to report on and purge
     * @param securityInUse whether Spring Security guards the application, so that a purge needs the role
     * @param purgeRole     the role a purge needs then
     * @param urlPurge      purges what a {@code GET} of a client's URL stored
     */
    public CacheproxyEndpoint(CachingEngine engine, BooleanSupplier securityInUse, String purgeRole, Function<URI, PurgeResult> urlPurge) {
        this.engine = engine;
        this.securityInUse = securityInUse;
        this.purgeRole = purgeRole;
        this.urlPurge = urlPurge;
    }

    /** {@return the engine's statistics: requests, hits, misses, stores, faults, the store's and the backends' figures} */
    @ReadOperation
    public Map<String, Object> statistics() {
        return asMap(engine.statistics());
    }

    /**
     * Purges one URL (every variant), one tag or everything: exactly one of the three.
     *
     * @param securityContext who asks
     * @param url             the URL as clients use it ({@code http://localhost:8080/api/item}): what a {@code GET} of it
     *                        stored through the filter or a route is purged
     * @param tag             a tag from {@code Surrogate-Key} or {@code Cache-Tag}
     * @param all             {@code true} to purge everything
     * @return what was purged, or 400 for a bad request and 403 for a user without the role
     */
    @WriteOperation
    // Spring's @Nullable is what Boot 3 reads to make a parameter optional; Boot 4 reads any @Nullable but deprecates Spring's.
    @SuppressWarnings({"deprecation", "removal"})
    public WebEndpointResponse<Map<String, Object>> purge(SecurityContext securityContext, @Nullable String url,
            @Nullable String tag, @Nullable Boolean all) {
        if (securityInUse.getAsBoolean() && !securityContext.isUserInRole(purgeRole)) {
            LOG.warn("purge refused: {} lacks role {}", securityContext.getPrincipal() == null ? "an anonymous user"
                    : securityContext.getPrincipal().getName(), purgeRole);
            return new WebEndpointResponse<>(Map.of("error", "purging needs the role " + purgeRole), 403);
        }
        int given = (url == null ? 0 : 1) + (tag == null ? 0 : 1) + (Boolean.TRUE.equals(all) ? 1 : 0);
        if (given != 1) {
            return badRequest("give exactly one of url, tag or all=true");
        }
        PurgeResult result;
        try {
            if (url != null) {
                URI target = URI.create(url);
                if (!target.isAbsolute() || target.getHost() == null) {
                    return badRequest("url must be absolute, e.g. http://localhost:8080/page");
                }
                result = urlPurge.apply(target);
            } else if (tag != null) {
                result = engine.purgeTag(tag);
            } else {
                result = engine.purgeAll();
            }
        } catch (IllegalArgumentException badValue) {
            return badRequest(badValue.getMessage());
        } catch (UnsupportedOperationException noTags) {
            return badRequest("the store keeps no tags");
        }
        LOG.info("purged {} ({} entries) through the Actuator endpoint", result.scope(),
                result.entries().isPresent() ? result.entries().getAsLong() : "unknown");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("purged", result.scope());
        result.entries().ifPresent(entries -> answer.put("entries", entries));
        return new WebEndpointResponse<>(answer, WebEndpointResponse.STATUS_OK);
    }

    private static WebEndpointResponse<Map<String, Object>> badRequest(String why) {
        return new WebEndpointResponse<>(Map.of("error", why), WebEndpointResponse.STATUS_BAD_REQUEST);
    }

    /** A record as a map of its components, for JSON: durations in milliseconds, optionals unwrapped or left out. */
    static Map<String, Object> asMap(Record record) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            try {
                Object value = component.getAccessor().invoke(record);
                plain(value).ifPresent(plain -> map.put(component.getName(), plain));
            } catch (ReflectiveOperationException unreadable) {
                throw new IllegalStateException("cannot read " + component, unreadable);
            }
        }
        return map;
    }

    private static Optional<Object> plain(Object value) {
        if (value instanceof Optional<?> optional) {
            return optional.flatMap(CacheproxyEndpoint::plain);
        }
        if (value instanceof OptionalLong optional) {
            return optional.isPresent() ? Optional.of(optional.getAsLong()) : Optional.empty();
        }
        if (value instanceof OptionalInt optional) {
            return optional.isPresent() ? Optional.of(optional.getAsInt()) : Optional.empty();
        }
        if (value instanceof Duration duration) {
            return Optional.of(duration.toMillis());
        }
        if (value instanceof Record nested) {
            return Optional.of(asMap(nested));
        }
        if (value instanceof List<?> list) {
            List<Object> plainList = new ArrayList<>();
            list.forEach(element -> plain(element).ifPresent(plainList::add));
            return Optional.of(plainList);
        }
        if (value instanceof Enum<?> || value instanceof URI) {
            return Optional.of(value.toString());
        }
        return Optional.ofNullable(value);
    }
}
