import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;

/**
 * A load client for one URL, run as a single-file program:
 * {@code java bench/ConcurrentGets.java URL CLIENTS ROUNDS}. In each round every client sends one GET at
 * the same moment (a barrier releases them together), so the requests overlap as a burst of users
 * would; it prints the latency percentiles over all requests and how many were not 200.
 */
public final class ConcurrentGets {

    private ConcurrentGets() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java ConcurrentGets.java URL CLIENTS ROUNDS");
            System.exit(2);
            return;
        }
        URI url = URI.create(args[0]);
        int clients = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier together = new CyclicBarrier(clients);
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            Thread client = new Thread(() -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        together.await();
                        long start = System.nanoTime();
                        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        latenciesMicros.add((System.nanoTime() - start) / 1000);
                        if (response.statusCode() != 200) {
                            failures.add(Integer.toString(response.statusCode()));
                        }
                    }
                } catch (Exception failed) {
                    failures.add(failed.toString());
                } finally {
                    done.countDown();
                }
            }, "client-" + c);
            client.start();
        }
        done.await();
        List<Long> sorted = new ArrayList<>(latenciesMicros);
        Collections.sort(sorted);
        System.out.printf("requests=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f not_200=%d%n", sorted.size(),
                percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 100), failures.size());
    }

    private static double percentile(List<Long> sorted, int percent) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
    }
}
