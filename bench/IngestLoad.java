// A simple HTTP ingestion load driver: N client threads POST to /api/v1/ingest for a fixed time and
// the program prints throughput, latency percentiles and the answers it got. No dependencies:
//
//   MQI_API_KEY=<ingest key> java bench/IngestLoad.java [url] [clients] [seconds] [messagesPerRequest]
//   MQI_API_KEY=mqi_... java bench/IngestLoad.java http://127.0.0.1:8080/api/v1/ingest 50 20 1
//
// The key needs scope "ingest" and must be bound to an integration (docs/api.md shows how to make one).
//
// It only talks to the URL given (run it against a service on this machine). Issue 7 adds the full
// benchmark suite, with the database's own COPY rate measured beside ours in the same run.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

public class IngestLoad {

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:8080/api/v1/ingest";
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int perRequest = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        String key = System.getenv().getOrDefault("MQI_API_KEY", "");

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong messages = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            results.add(pool.submit(() -> {
                long[] latencies = new long[1 << 16];
                int n = 0;
                long seq = 0;
                while (System.nanoTime() < end) {
                    String body = body(client, seq, perRequest);
                    seq += perRequest;
                    long start = System.nanoTime();
                    int status;
                    try {
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + key)
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                        status = r.statusCode();
                    } catch (Exception e) {
                        status = -1;
                    }
                    long micros = (System.nanoTime() - start) / 1000;
                    statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                    if (status == 202) {
                        messages.addAndGet(perRequest);
                        if (n == latencies.length) {
                            latencies = Arrays.copyOf(latencies, n * 2);
                        }
                        latencies[n++] = micros;
                    }
                }
                return Arrays.copyOf(latencies, n);
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : results) {
            for (long l : f.get()) {
                all.add(l);
            }
        }
        pool.shutdown();
        all.sort(null);
        System.out.printf("clients=%d seconds=%d messagesPerRequest=%d%n", clients, seconds, perRequest);
        System.out.printf("answers: %s%n", new TreeMap<>(statuses));
        System.out.printf("stored messages/s (202 = committed): %.0f%n", messages.get() / (double) seconds);
        if (!all.isEmpty()) {
            System.out.printf("202 latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n", pct(all, 50), pct(all, 90),
                    pct(all, 99), all.get(all.size() - 1) / 1000.0);
        }
    }

    private static double pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1000.0;
    }

    private static String body(int client, long seq, int n) {
        StringBuilder b = new StringBuilder(n == 1 ? "" : "[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"topic\":\"bench/devices/d-").append(client)
                    .append("/telemetry\",\"payload\":{\"seq\":").append(seq + i)
                    .append(",\"temperature\":21.5,\"humidity\":40.2,\"ts\":").append(System.currentTimeMillis()).append("}}");
        }
        return b.append(n == 1 ? "" : "]").toString();
    }
}
