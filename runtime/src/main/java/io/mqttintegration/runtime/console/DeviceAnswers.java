package io.mqttintegration.runtime.console;

import io.mqttintegration.spi.broker.ConnectedDevice;
import io.mqttintegration.spi.broker.RunningBroker;
import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import io.mqttintegration.storage.presence.DeviceStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The console's answers about devices ({@code mqtt:device-list}): every node's devices as device
 * presence keeps them (device_presence, the cluster's), and for each device connected to this node's
 * hosted broker the messages the broker took from it on that connection (the broker's own count, in
 * memory: cheap, and only this node has it). A connection this node holds that presence has not
 * recorded (yet, or presence is off) is listed too, from the broker alone, so the command never hides
 * a device connected here.
 *
 * @param broker this node's hosted broker while it runs ({@code HostedCommands.publisher})
 * @param nodeId this node's id, as presence names the node holding a connection
 */
record DeviceAnswers(DeviceStore store, Supplier<Optional<RunningBroker>> broker, String nodeId) {

    /** The most devices listed. */
    static final int LIMIT = 10_000;
    static final Set<String> STATES = Set.of("online", "offline");

    /** mqtt:device-list: every device, of one state and one integration when given. */
    public ConsoleAnswer devices(String state, UUID integrationId) {
        if (state != null && !STATES.contains(state)) {
            throw new IllegalArgumentException("state must be online or offline, not " + state);
        }
        ConsoleTable table = new ConsoleTable("ORGANIZATION", "INTEGRATION", "DEVICE", "STATE", "SINCE", "REASON", "LAST SEEN", "NODE",
                "CLIENT ID", "REMOTE ADDRESS", "RECEIVED");
        Optional<RunningBroker> running = broker().get();
        Map<String, ConnectedDevice> here = new HashMap<>();
        running.ifPresent(b -> b.devices().forEach(d -> here.put(key(d.identity().integrationId(), d.identity().username(), d.clientId()), d)));
        int connected = here.size();
        List<DeviceStore.Device> all = store().all(integrationId, state, LIMIT);
        int online = 0;
        for (DeviceStore.Device d : all) {
            online += "online".equals(d.state()) ? 1 : 0;
            ConnectedDevice live = "online".equals(d.state()) && nodeId().equals(d.node())
                    ? here.remove(key(d.integrationId(), d.deviceId(), d.clientId())) : null;
            table.row(d.organizationId(), d.integrationId(), d.deviceId(), d.state(), seconds(d.since()), d.reason(), seconds(d.lastSeen()),
                    d.node(), d.clientId(), d.remoteAddress(), live == null ? null : live.received());
        }
        int unrecorded = 0;
        if (!"offline".equals(state)) {
            for (ConnectedDevice live : here.values()) {
                if (integrationId == null || integrationId.equals(live.identity().integrationId())) {
                    unrecorded++;
                    table.row(live.identity().organizationId(), live.identity().integrationId(), live.identity().username(), "online",
                            seconds(live.since()), "connected", null, nodeId(), live.clientId(), live.remoteAddress(), live.received());
                }
            }
        }
        StringBuilder after = new StringBuilder();
        after.append(all.size()).append(all.size() == 1 ? " device" : " devices").append(" in device_presence (").append(online)
                .append(" online)").append(all.size() == LIMIT ? ", the first " + LIMIT + " listed" : "");
        if (running.isEmpty()) {
            after.append("; the hosted MQTT broker is not running on this node (").append(nodeId()).append(")\n");
        } else {
            after.append("; ").append(connected).append(" connected to this node's hosted broker (").append(nodeId())
                    .append("): RECEIVED is their messages on the connection");
            if (unrecorded > 0) {
                after.append(", ").append(unrecorded).append(" of them not in device_presence yet (listed from the broker)");
            }
            after.append('\n');
        }
        return new ConsoleAnswer("", table, after.toString());
    }

    private static String key(UUID integrationId, String deviceId, String clientId) {
        return integrationId + "|" + clientId + "|" + deviceId;
    }

    private static Instant seconds(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS);
    }
}
