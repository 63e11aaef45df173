import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load of the failover benchmark, run as a single-file program:
 * {@code java bench/FailoverLoad.java PROXY_URL SECONDS CLIENTS ADMIN_TOKEN WATCHED_BACKEND EVENTS_FILE}.
 *
 * <p>CLIENTS threads send uncacheable {@code GET}s to the proxy back to back for SECONDS, each
 * request recorded with its start, latency and outcome (any answer but 200, or no answer, is a client
 * error). Meanwhile the proxy's admin statistics are read every 50 ms and each change of the watched
 * backend's state is noted. At the end, the events file (lines {@code kill EPOCH_MS} and
 * {@code restart EPOCH_MS}, written by bench/failover.sh) gives the time to eject and to recover, and
 * the latency before, during and after the fault.
 */
public final class FailoverLoad {

    private record Sample(long startMillis, long latencyMicros, String outcome) {
    }

    private static final Pattern BACKEND = Pattern.compile("\"backend\":\"([^\"]+)\",\"state\":\"([a-z]+)\"");

    private FailoverLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: java bench/FailoverLoad.java PROXY_URL SECONDS CLIENTS ADMIN_TOKEN WATCHED_BACKEND EVENTS_FILE");
            System.exit(2);
        }
        String proxy = args[0];
        long seconds = Long.parseLong(args[1]);
        int clients = Integer.parseInt(args[2]);
        String token = args[3];
        String watched = args[4];
        Path events = Path.of(args[5]);

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        List<long[]> stateChanges = new ArrayList<>(); // [epoch ms, state index]
        List<String> stateNames = new ArrayList<>();
        long start = System.currentTimeMillis();
        long end = start + seconds * 1000;
        ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
        AtomicLong sequence = new AtomicLong();
        AtomicBoolean started = new AtomicBoolean();
        for (int c = 0; c < clients; c++) {
            pool.execute(() -> {
                while (System.currentTimeMillis() < end) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(proxy + "/work?n=" + sequence.incrementAndGet()))
                            .timeout(Duration.ofSeconds(30)).GET().build();
                    long begin = System.currentTimeMillis();
                    long t0 = System.nanoTime();
                    String outcome;
                    try {
                        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        outcome = response.statusCode() == 200 ? "ok" : "status " + response.statusCode();
                    } catch (IOException failed) {
                        outcome = failed.getClass().getSimpleName();
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    samples.add(new Sample(begin, (System.nanoTime() - t0) / 1000, outcome));
                    if (started.compareAndSet(false, true)) {
                        System.out.println("load started");
                        System.out.flush();
                    }
                }
            });
        }
        pool.execute(() -> {
            String last = "";
            while (System.currentTimeMillis() < end) {
                try {
                    HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(proxy + "/_cacheproxy/stats"))
                            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    Matcher m = BACKEND.matcher(stats.body());
                    while (m.find()) {
                        if (m.group(1).equals(watched) && !m.group(2).equals(last)) {
                            last = m.group(2);
                            synchronized (stateChanges) {
                                stateNames.add(last);
                                stateChanges.add(new long[] {System.currentTimeMillis(), stateNames.size() - 1});
                            }
                        }
                    }
                    Thread.sleep(50);
                } catch (IOException ignored) {
                    // the proxy is busy; try again
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        });
        pool.shutdown();
        pool.awaitTermination(seconds + 60, TimeUnit.SECONDS);

        Map<String, Long> eventTimes = new TreeMap<>();
        for (String line : Files.readAllLines(events)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                eventTimes.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        report(samples, stateChanges, stateNames, eventTimes, start);
    }

    private static void report(ConcurrentLinkedQueue<Sample> samples, List<long[]> stateChanges, List<String> stateNames,
                               Map<String, Long> events, long start) {
        List<Sample> all = new ArrayList<>(samples);
        long errors = all.stream().filter(sample -> !sample.outcome().equals("ok")).count();
        Map<String, Long> byOutcome = new TreeMap<>();
        all.forEach(sample -> byOutcome.merge(sample.outcome(), 1L, Long::sum));
        System.out.println("requests: " + all.size() + ", client errors: " + errors + " " + byOutcome);

        System.out.println("per second (s since start: requests, errors, p50 ms, p99 ms, max ms):");
        Map<Long, List<Sample>> bySecond = new TreeMap<>();
        all.forEach(sample -> bySecond.computeIfAbsent((sample.startMillis() - start) / 1000, s -> new ArrayList<>()).add(sample));
        bySecond.forEach((second, list) -> System.out.printf("  %3d: %6d %4d %8.2f %8.2f %8.2f%n", second, list.size(),
                list.stream().filter(sample -> !sample.outcome().equals("ok")).count(),
                percentile(list, 50), percentile(list, 99), percentile(list, 100)));

        System.out.println("watched backend's states (s since start):");
        for (long[] change : stateChanges) {
            System.out.printf("  %7.2f %s%n", (change[0] - start) / 1000.0, stateNames.get((int) change[1]));
        }
        Long kill = events.get("kill");
        Long restart = events.get("restart");
        if (kill != null) {
            long ejected = firstState(stateChanges, stateNames, kill, false);
            System.out.println("killed at " + seconds(kill - start) + " s; ejected (or down) "
                    + (ejected < 0 ? "never seen" : millis(ejected - kill) + " ms later"));
        }
        if (restart != null) {
            long back = firstState(stateChanges, stateNames, restart, true);
            System.out.println("restarted at " + seconds(restart - start) + " s; healthy again "
                    + (back < 0 ? "never seen" : millis(back - restart) + " ms later"));
        }
        if (kill != null && restart != null) {
            long back = firstState(stateChanges, stateNames, restart, true);
            long faultEnd = back < 0 ? Long.MAX_VALUE : back;
            phase("in the 5 s before the fault", all, kill - 5000, kill);
            phase("first second of the fault", all, kill, kill + 1000);
            phase("during the fault", all, kill, faultEnd);
            phase("after recovery", all, faultEnd, Long.MAX_VALUE);
        }
    }

    private static long firstState(List<long[]> changes, List<String> names, long after, boolean healthy) {
        for (long[] change : changes) {
            String state = names.get((int) change[1]);
            if (change[0] >= after && state.equals("healthy") == healthy) {
                return change[0];
            }
        }
        return -1;
    }

    private static void phase(String name, List<Sample> all, long from, long to) {
        List<Sample> in = all.stream().filter(sample -> sample.startMillis() >= from && sample.startMillis() < to).toList();
        long errors = in.stream().filter(sample -> !sample.outcome().equals("ok")).count();
        System.out.printf("latency %s: %d requests, %d errors, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", name, in.size(), errors,
                percentile(in, 50), percentile(in, 99), percentile(in, 100));
    }

    private static double percentile(List<Sample> samples, double percent) {
        if (samples.isEmpty()) {
            return 0;
        }
        long[] latencies = samples.stream().mapToLong(Sample::latencyMicros).toArray();
        Arrays.sort(latencies);
        int index = (int) Math.min(latencies.length - 1, Math.ceil(percent / 100 * latencies.length) - 1);
        return latencies[Math.max(0, index)] / 1000.0;
    }

    private static String seconds(long millis) {
        return String.format("%.2f", millis / 1000.0);
    }

    private static String millis(long millis) {
        return Long.toString(millis);
    }
}
