package io.mqttintegration.devdb.kafka;

import java.io.IOException;

/**
 * The main of the broker's JVM that devdb's {@code KafkaBroker} starts: Kafka's own {@code kafka.Kafka} with
 * the given arguments (the server.properties file), plus a tether to the process that started it. When our
 * standard input ends (the test JVM closed it, or died, even by SIGKILL) the JVM exits, and Kafka's shutdown
 * hook stops the broker gracefully: a broker never outlives the tests that started it.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) {
        Thread tether = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent: we only wait for the end of the stream
                }
            } catch (IOException e) {
                // the pipe broke: the parent is gone as well
            }
            System.out.println("BrokerMain: standard input ended (the parent closed it or died); stopping the broker");
            System.exit(0);
        }, "parent-tether");
        tether.setDaemon(true);
        tether.start();
        kafka.Kafka.main(args);
    }
}
