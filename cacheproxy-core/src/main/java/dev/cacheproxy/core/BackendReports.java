package dev.cacheproxy.core;

import dev.cacheproxy.api.BackendReport;
import dev.cacheproxy.api.BackendStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The backend reports proxies handed to the engine, and who wants to hear of new ones (a metrics binder). */
final class BackendReports {

    private final List<BackendReport> reports = new CopyOnWriteArrayList<>();
    private final List<Consumer<BackendReport>> listeners = new CopyOnWriteArrayList<>();

    void add(BackendReport report) {
        Objects.requireNonNull(report, "report");
        // Under the same lock as whenAdded, so that each listener hears of each report exactly once.
        synchronized (this) {
            reports.add(report);
            listeners.forEach(listener -> listener.accept(report));
        }
    }

    void remove(BackendReport report) {
        reports.remove(report);
    }

    synchronized void whenAdded(Consumer<BackendReport> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        reports.forEach(listener);
    }

    /** Every reported backend's figures now; empty, without allocating, when no proxy reported any. */
    List<BackendStatistics> backends() {
        if (reports.isEmpty()) {
            return List.of();
        }
        List<BackendStatistics> backends = new ArrayList<>();
        for (BackendReport report : reports) {
            backends.addAll(report.backends());
        }
        return backends;
    }
}
