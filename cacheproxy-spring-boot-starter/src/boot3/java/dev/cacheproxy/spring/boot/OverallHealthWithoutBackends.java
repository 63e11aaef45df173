package dev.cacheproxy.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.health.AdditionalHealthEndpointPath;
import org.springframework.boot.actuate.health.HealthEndpointGroup;
import org.springframework.boot.actuate.health.HealthEndpointGroups;
import org.springframework.boot.actuate.health.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.boot.actuate.health.StatusAggregator;

/**
 * Leaves the backends' contributor out of the application's overall health ({@code /actuator/health}):
 * every instance of an application shares its backends, so restarting it or taking it out of a load
 * balancer when they are out helps nobody, and its own pages still work. Groups that include the
 * contributor (readiness, say) keep it.
 */
final class OverallHealthWithoutBackends implements HealthEndpointGroupsPostProcessor {

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        Map<String, HealthEndpointGroup> named = new LinkedHashMap<>();
        groups.getNames().forEach(name -> named.put(name, groups.get(name)));
        return HealthEndpointGroups.of(new WithoutBackends(groups.getPrimary()), named);
    }

    /** The overall group, less the backends' contributor. */
    private record WithoutBackends(HealthEndpointGroup overall) implements HealthEndpointGroup {

        @Override
        public boolean isMember(String name) {
            boolean backends = name.equals(BackendPools.CONTRIBUTOR) || name.startsWith(BackendPools.CONTRIBUTOR + "/");
            return !backends && overall.isMember(name);
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return overall.showComponents(securityContext);
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return overall.showDetails(securityContext);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return overall.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return overall.getHttpCodeStatusMapper();
        }

        @Override
        public AdditionalHealthEndpointPath getAdditionalPath() {
            return overall.getAdditionalPath();
        }
    }
}
