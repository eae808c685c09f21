package io.mqttintegration.spi.broker;

/**
 * Where a hosted device may publish and subscribe: under {@code devices/<its username>/} and
 * nowhere else (docs/api.md, "Hosted broker"). Artemis hands us MQTT topics as core addresses,
 * {@code /} turned into {@code .}: {@code devices/dev-1/telemetry} is {@code devices.dev-1.telemetry},
 * the filter {@code devices/dev-1/#} is {@code devices.dev-1.#}. A queue may come fully qualified
 * ({@code address::queue}): only the address counts.
 */
public final class DeviceNamespace {

    /** The first level of every device topic. */
    public static final String ROOT = "devices";

    private DeviceNamespace() {
    }

    /**
     * A username that can name a namespace: letters, digits, {@code -} and {@code _} (generated
     * ones are {@code dev-<16 hex>}), never a topic separator or wildcard of MQTT or of Artemis.
     */
    public static boolean isValidUsername(String username) {
        if (username == null || username.isEmpty() || username.length() > 128) {
            return false;
        }
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code coreAddress} is the device's namespace or inside it. */
    public static boolean allows(String username, String coreAddress) {
        if (!isValidUsername(username) || coreAddress == null) {
            return false;
        }
        int fq = coreAddress.indexOf("::");
        String address = fq >= 0 ? coreAddress.substring(0, fq) : coreAddress;
        String own = ROOT + "." + username;
        return address.equals(own) || address.startsWith(own + ".");
    }

    /** True when the MQTT topic (as published, {@code /}-separated) is the device's namespace or inside it. */
    public static boolean allowsTopic(String username, String topic) {
        if (!isValidUsername(username) || topic == null) {
            return false;
        }
        String own = ROOT + "/" + username;
        return topic.equals(own) || topic.startsWith(own + "/");
    }

    /** The MQTT topic filter of a device's namespace, for the docs and the logs. */
    public static String topicFilter(String username) {
        return ROOT + "/" + username + "/#";
    }
}
