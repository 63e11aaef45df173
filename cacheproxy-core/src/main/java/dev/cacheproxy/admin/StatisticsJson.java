package dev.cacheproxy.admin;

import dev.cacheproxy.api.BackendStatistics;
import dev.cacheproxy.api.CacheStoreStatistics;
import dev.cacheproxy.api.EngineStatistics;
import dev.cacheproxy.api.PurgeResult;
import java.util.Locale;

/** The admin endpoint's answers as JSON, written by hand: a few flat numbers need no library. */
final class StatisticsJson {

    private StatisticsJson() {
    }

    static String of(EngineStatistics statistics) {
        EngineStatistics.OriginLatency latency = statistics.originLatency();
        StringBuilder json = new StringBuilder(512).append('{')
                .append("\"requests\":").append(statistics.requests())
                .append(",\"hits\":").append(statistics.hits())
                .append(",\"misses\":").append(statistics.misses())
                .append(",\"hitRatio\":").append(String.format(Locale.ROOT, "%.4f", statistics.hitRatio()))
                .append(",\"staleServed\":").append(statistics.staleServed())
                .append(",\"revalidatedNotModified\":").append(statistics.revalidatedNotModified())
                .append(",\"revalidatedModified\":").append(statistics.revalidatedModified())
                .append(",\"collapsedWaits\":").append(statistics.collapsedWaits())
                .append(",\"stored\":").append(statistics.stored())
                .append(",\"skippedTooBig\":").append(statistics.skippedTooBig())
                .append(",\"skippedNotCacheable\":").append(statistics.skippedNotCacheable())
                .append(",\"skippedIncomplete\":").append(statistics.skippedIncomplete())
                .append(",\"storeFaults\":").append(statistics.storeFaults())
                .append(",\"originErrors\":").append(statistics.originErrors())
                .append(",\"originLatency\":{\"count\":").append(latency.count())
                .append(",\"totalMillis\":").append(latency.total().toMillis())
                .append(",\"maxMillis\":").append(latency.max().toMillis()).append('}');
        if (statistics.store().isPresent()) {
            CacheStoreStatistics store = statistics.store().get();
            json.append(",\"store\":{\"entries\":").append(store.entries())
                    .append(",\"bytes\":").append(store.bytes())
                    .append(",\"hits\":").append(store.hits())
                    .append(",\"misses\":").append(store.misses())
                    .append(",\"evictions\":").append(store.evictions())
                    .append(",\"corruptEntries\":").append(store.corruptEntries()).append('}');
        }
        if (!statistics.backends().isEmpty()) {
            json.append(",\"backends\":[");
            for (int i = 0; i < statistics.backends().size(); i++) {
                BackendStatistics backend = statistics.backends().get(i);
                EngineStatistics.OriginLatency backendLatency = backend.latency();
                json.append(i == 0 ? "{" : ",{")
                        .append("\"pool\":").append(string(backend.pool()))
                        .append(",\"backend\":").append(string(backend.backend().toString()))
                        .append(",\"state\":").append(string(backend.state().name().toLowerCase(Locale.ROOT)))
                        .append(",\"weight\":").append(backend.weight())
                        .append(",\"backup\":").append(backend.backup())
                        .append(",\"requests\":").append(backend.requests())
                        .append(",\"failures\":").append(backend.failures())
                        .append(",\"active\":").append(backend.active())
                        .append(",\"ejections\":").append(backend.ejections())
                        .append(",\"latency\":{\"count\":").append(backendLatency.count())
                        .append(",\"totalMillis\":").append(backendLatency.total().toMillis())
                        .append(",\"maxMillis\":").append(backendLatency.max().toMillis()).append("}}");
            }
            json.append(']');
        }
        return json.append('}').toString();
    }

    static String of(PurgeResult purged) {
        return "{\"purged\":" + string(purged.scope())
                + (purged.entries().isPresent() ? ",\"entries\":" + purged.entries().getAsLong() : "") + "}";
    }

    static String error(String message) {
        return "{\"error\":" + string(message) + "}";
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static String string(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
