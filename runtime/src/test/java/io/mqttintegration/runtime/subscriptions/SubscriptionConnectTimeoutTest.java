package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A "broker" that accepts TCP and never answers (no CONNACK): each connection attempt is abandoned
 * after {@code mqtt.subscription.connackTimeoutSeconds}, its socket closed, and the next attempt made with the
 * backoff; the subscription shows why. On 7e953aa a reconnect hung on such a connection for 95 s,
 * with its socket left open.
 */
@Tag("reliability")
class SubscriptionConnectTimeoutTest {

    @TempDir
    Path work;

    @Test
    void anAttemptWithoutConnackIsAbandonedItsSocketClosedAndRetried() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        AtomicInteger closedByService = new AtomicInteger();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        Socket s = silent.accept();
                        accepted.add(s);
                        Thread reader = new Thread(() -> readUntilClosed(s, closedByService));
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                    Map.of("mqtt.subscription.connackTimeoutSeconds", "2", "mqtt.subscription.maxRetrySeconds", "1"))) {
                String admin = service.createOrganization("o").adminKey();
                HttpResponse<String> created = service.send("POST", "/api/v1/integrations", admin,
                        "{\"name\":\"silent\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + silent.getLocalPort() + "}}");
                String id = Json.strict().readTree(created.body()).path("id").asText();
                assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                        "{\"topics\":[\"site/#\"]}").statusCode());
                SubscriptionSupervisor running = service.runtime.subscriptions().running(UUID.fromString(id)).orElseThrow();

                SubscriptionTest.await("three attempts, the first two abandoned and closed", Duration.ofSeconds(30),
                        () -> "accepted " + accepted.size() + ", closed by the service " + closedByService.get() + ", status "
                                + running.status().view(),
                        () -> accepted.size() >= 3 && closedByService.get() >= 2);
                assertEquals(SubscriptionStatus.State.ERROR, running.status().state());
                String error = String.valueOf(running.status().view().get("lastError"));
                assertTrue(error.contains("CONNACK"), "the subscription says why: " + error);
                System.out.printf("silent broker: %d attempts, %d sockets closed by the service; last error: %s%n", accepted.size(),
                        closedByService.get(), error);
            }
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    /** Reads what the client sends (its CONNECT) and counts the socket once the client closes it. */
    private static void readUntilClosed(Socket s, AtomicInteger closed) {
        try (InputStream in = s.getInputStream()) {
            byte[] buffer = new byte[1024];
            while (in.read(buffer) >= 0) {
                // a CONNECT that is never answered
            }
            closed.incrementAndGet();
        } catch (IOException e) {
            closed.incrementAndGet(); // reset by the client: closed too
        }
    }
}
