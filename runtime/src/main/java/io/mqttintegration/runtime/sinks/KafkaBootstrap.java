package io.mqttintegration.runtime.sinks;

import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bootstrap servers of a Kafka sink ({@code brokers} of routes/sink-kafka.camel.yaml):
 * {@code host:port[,host:port...]}, an IPv6 address in brackets. Each host must pass the brokers'
 * target guard ({@link BrokerTargets}), as a webhook's receiver does; the addresses the cluster
 * advertises afterwards are Kafka's to give, and are not checked.
 */
public final class KafkaBootstrap {

    /** The settings key of the bootstrap servers. */
    public static final String BROKERS = "brokers";

    private static final Pattern SERVER = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):([0-9]{1,5})");

    private KafkaBootstrap() {
    }

    /** Why the value cannot be bootstrap servers (the text follows the field's name), or null when it can. */
    public static String malformed(String brokers) {
        for (String server : brokers.split(",", -1)) {
            Matcher m = SERVER.matcher(server.trim());
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65_535) {
                return "must be host:port[,host:port...] (an IPv6 address in brackets)";
            }
        }
        return null;
    }

    /** Whether the guard lets the service connect to every server's host and port (a name that does not resolve is refused too). */
    public static boolean allowed(String brokers, BrokerTargets guard) {
        for (String server : brokers.split(",")) {
            Matcher m = SERVER.matcher(server.trim());
            if (!m.matches()) {
                return false;
            }
            String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
            try {
                guard.resolve(host, Integer.parseInt(m.group(2)));
            } catch (BrokerException refused) {
                return false;
            }
        }
        return true;
    }
}
