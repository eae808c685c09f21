package io.mqttintegration.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** mosquitto_pub as a device of the hosted broker: MQTT 5, QoS 1, with a generated credential. */
final class DeviceClient {

    /** What mosquitto_pub did: its exit code and what it printed (stdout and stderr). */
    record Result(int exitCode, String output) {
    }

    private DeviceClient() {
    }

    static Result publish(int port, String username, String password, String topic, String payload)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-V", "mqttv5", "-q", "1", "-u", username, "-P", password, "-t", topic, "-m", payload));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mosquitto_pub did not finish within 20 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }
}
