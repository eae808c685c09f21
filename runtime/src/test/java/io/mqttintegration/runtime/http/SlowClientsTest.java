package io.mqttintegration.runtime.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that never finish a request are closed by the server (idle and request timeouts), and
 * connections beyond {@code http.maxConnections} are closed at once. Raw sockets: no HTTP client
 * would send these.
 */
class SlowClientsTest {

    /** Generous: the configured timeouts are 1 and 2 seconds; unfixed, none of these was closed within 45 s. */
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path work;

    @Test
    void idleConnectionsAreClosed() throws Exception {
        try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                Map.of("http.idleTimeoutSeconds", "1", "http.requestTimeoutSeconds", "60"))) {
            int port = service.runtime.httpPort();
            List<String> notClosed = new ArrayList<>();

            try (Socket bare = new Socket("127.0.0.1", port)) {
                check("a bare TCP connect", bare, notClosed);
            }
            try (Socket shortBody = new Socket("127.0.0.1", port)) {
                send(shortBody, "POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"topic\":");
                check("a body shorter than its Content-Length", shortBody, notClosed);
            }
            try (Socket chunked = new Socket("127.0.0.1", port)) {
                send(chunked, "POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n");
                check("a chunked body without its last chunk", chunked, notClosed);
            }
            try (Socket keepAlive = new Socket("127.0.0.1", port)) {
                send(keepAlive, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                check("an idle keep-alive connection after its answer", keepAlive, notClosed);
            }
            assertTrue(notClosed.isEmpty(), "not closed by the server within " + DEADLINE.toSeconds() + " s: " + notClosed);
        }
    }

    @Test
    void aRequestThatDoesNotArriveWholeInTimeIsClosedEvenWhenNeverIdle() throws Exception {
        try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                Map.of("http.idleTimeoutSeconds", "60", "http.requestTimeoutSeconds", "1"))) {
            int port = service.runtime.httpPort();
            List<String> notClosed = new ArrayList<>();
            try (Socket bare = new Socket("127.0.0.1", port)) {
                check("a bare TCP connect (request timeout)", bare, notClosed);
            }
            try (Socket trickle = new Socket("127.0.0.1", port)) {
                // One header byte every 200 ms: never idle, never done.
                AtomicBoolean stop = new AtomicBoolean();
                Thread writer = new Thread(() -> {
                    byte[] head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
                    try {
                        OutputStream out = trickle.getOutputStream();
                        for (int i = 0; !stop.get(); i++) {
                            out.write(i < head.length ? head[i] : 'a');
                            out.flush();
                            Thread.sleep(200);
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed by the server: what the test waits for
                    }
                });
                writer.start();
                check("headers trickled byte by byte", trickle, notClosed);
                stop.set(true);
                writer.join();
            }
            assertTrue(notClosed.isEmpty(), "not closed by the server within " + DEADLINE.toSeconds() + " s: " + notClosed);
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnce() throws Exception {
        try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                Map.of("http.maxConnections", "3", "http.idleTimeoutSeconds", "60", "http.requestTimeoutSeconds", "60"))) {
            int port = service.runtime.httpPort();
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(new Socket("127.0.0.1", port));
                }
                // The three are accepted before the fourth arrives: each answers a request.
                for (Socket s : held) {
                    assertTrue(answers(s), "a connection within the cap is served");
                }
                List<String> notClosed = new ArrayList<>();
                try (Socket fourth = new Socket("127.0.0.1", port)) {
                    check("a fourth connection with http.maxConnections=3", fourth, notClosed);
                }
                assertTrue(notClosed.isEmpty(), "not closed: " + notClosed);
                held.remove(0).close();
                await("a connection is served again once one of the three is closed").atMost(DEADLINE).until(() -> {
                    try (Socket again = new Socket("127.0.0.1", port)) {
                        return answers(again);
                    }
                });
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Sends GET /health and reads the status line; false when the server closed the connection instead. */
    private static boolean answers(Socket socket) throws IOException {
        socket.setSoTimeout((int) DEADLINE.toMillis());
        try {
            send(socket, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            byte[] head = new byte[12];
            int n = socket.getInputStream().readNBytes(head, 0, head.length);
            return n == head.length && new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 ");
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads (and drops) whatever the server sends until it closes the connection, up to the deadline. */
    private static void check(String what, Socket socket, List<String> notClosed) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout((int) DEADLINE.toMillis());
        InputStream in = socket.getInputStream();
        boolean closed;
        try {
            while (in.read() >= 0) {
                // an answer (e.g. the keep-alive case's 200) before the close
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException e) {
            closed = true; // reset by the server
        }
        System.out.printf("%s: %s after %.0f ms%n", what, closed ? "closed by the server" : "still open", (System.nanoTime() - start) / 1e6);
        if (!closed) {
            notClosed.add(what);
        }
    }
}
