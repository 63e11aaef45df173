package dev.cacheproxy.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.api.BackendStatistics.State;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.core.CachingEngine;
import dev.cacheproxy.store.EhcacheStore;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which pools the backends' health contributor calls unavailable: those none of whose backends takes requests. */
class BackendPoolsTest {

    private final CachingEngine engine = CachingEngine.builder().store(EhcacheStore.builder().offHeapSize(2L << 20).build()).build();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void aPoolWithOneHealthyBackendIsAvailable() {
        engine.addBackendReport(() -> List.of(row("api", "http://10.0.0.1", State.EJECTED, false), row("api", "http://10.0.0.2", State.HEALTHY, false)));

        BackendPools.Report report = new BackendPools(engine).report();

        assertEquals(List.of(), report.unavailable());
        assertEquals(Map.of("api", Map.of("http://10.0.0.1", "EJECTED", "http://10.0.0.2", "HEALTHY")), report.states());
    }

    @Test
    void aHealthyBackupKeepsAPoolAvailableWhenEveryPrimaryIsOut() {
        engine.addBackendReport(() -> List.of(row("api", "http://10.0.0.1", State.DOWN, false), row("api", "http://10.0.0.9", State.HEALTHY, true)));

        assertEquals(List.of(), new BackendPools(engine).report().unavailable());
    }

    @Test
    void aPoolWhoseEveryBackendIsEjectedOrDownIsUnavailableAndTheOthersAreNot() {
        engine.addBackendReport(() -> List.of(row("api", "http://10.0.0.1", State.EJECTED, false), row("api", "http://10.0.0.2", State.DOWN, false)));
        engine.addBackendReport(() -> List.of(row("images", "http://10.0.1.1", State.HEALTHY, false)));
        engine.addBackendReport(() -> List.of(row("search", "http://10.0.2.1", State.DOWN, false)));

        assertEquals(List.of("api", "search"), new BackendPools(engine).report().unavailable());
    }

    @Test
    void withoutRoutesNothingIsUnavailable() {
        BackendPools.Report report = new BackendPools(engine).report();

        assertEquals(List.of(), report.unavailable());
        assertEquals(Map.of(), report.states());
    }

    private static BackendStatistics row(String pool, String backend, State state, boolean backup) {
        return new BackendStatistics(pool, URI.create(backend), state, 1, backup, 0, 0, 0, 0, EngineStatistics.OriginLatency.NONE);
    }
}
