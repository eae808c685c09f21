package io.mqttintegration.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestCertificates;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API over TLS with a configured key store (http.tls.keyStore). */
class HttpsTest {

    @TempDir
    Path work;

    @Test
    void servesTheApiOverTlsWithTheConfiguredKeyStoreAndNotInPlainText() throws Exception {
        TestCertificates certs = TestCertificates.create(work.resolve("tls"), "localhost");
        Path store = certs.pkcs12(work.resolve("tls/api.p12"), "store-secret");
        try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                Map.of("http.tls.keyStore", store.toString(), "http.tls.keyStorePassword", "store-secret"))) {
            HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
            URI health = URI.create("https://localhost:" + service.runtime.httpPort() + "/health");
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"status\":\"up\""), r.body());

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(service.uri("/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()),
                    "plain HTTP is not answered on the TLS port");
        }
    }

    @Test
    void refusesToStartWithAKeyStoreItCannotRead() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RuntimeHarness.start(TestDatabase.newDatabase(),
                work, Map.of("http.tls.keyStore", work.resolve("missing.p12").toString())));
        assertTrue(e.getMessage().contains("missing.p12"), e.getMessage());
    }
}
