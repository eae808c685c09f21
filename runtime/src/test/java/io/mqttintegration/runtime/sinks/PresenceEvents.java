package io.mqttintegration.runtime.sinks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

/**
 * Device presence transitions written as the presence engine writes them (the contract of issue 30,
 * which this branch does not have the engine of): as the operator, one statement inserts the
 * transition into device_transitions and, for each sink of its integration that forwards events
 * ({@code include} events or both) and takes its device, an outbox row carrying the event JSON,
 * {@code message_id} the transition's id and {@code received_at} its time.
 */
final class PresenceEvents {

    private static final String SQL = """
            WITH t AS (
                INSERT INTO device_transitions (id, organization_id, integration_id, device_id, state, reason, node, at, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?::jsonb)
                RETURNING id, organization_id, integration_id, device_id, at
            )
            INSERT INTO sink_outbox (sink_id, organization_id, message_id, received_at, device_id, event)
            SELECT s.id, t.organization_id, t.id, t.at, t.device_id, ?::jsonb
            FROM t JOIN sinks s ON s.integration_id = t.integration_id
            WHERE s.include IN ('events', 'both') AND (s.device_id IS NULL OR s.device_id = t.device_id)
            ORDER BY s.id
            """;

    /** A transition as written: its id, and the event JSON its outbox rows carry. */
    record Written(UUID id, String eventJson) {
    }

    private final Tenancy tenancy;
    private final UUID organization;
    private final UUID integration;

    PresenceEvents(Tenancy tenancy, UUID organization, UUID integration) {
        this.tenancy = tenancy;
        this.organization = organization;
        this.integration = integration;
    }

    Written transition(String device, String state, String reason) {
        return transition(device, state, reason, null, Map.of());
    }

    /** One transition of {@code device} now; its event goes to every sink of the integration that forwards events. */
    Written transition(String device, String state, String reason, String node, Map<String, Object> details) {
        UUID id = MessageIds.next();
        // microseconds, as PostgreSQL keeps the transition's time
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ObjectNode event = Json.strict().createObjectNode();
        event.put("type", "presence");
        event.put("id", id.toString());
        event.put("integrationId", integration.toString());
        event.put("deviceId", device);
        event.put("state", state);
        event.put("reason", reason);
        event.put("at", at.toString());
        event.put("node", node);
        event.set("details", Json.strict().valueToTree(details));
        String eventJson = event.toString();
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(SQL)) {
                ps.setObject(1, id, Types.OTHER);
                ps.setObject(2, organization, Types.OTHER);
                ps.setObject(3, integration, Types.OTHER);
                ps.setString(4, device);
                ps.setString(5, state);
                ps.setString(6, reason);
                ps.setString(7, node);
                ps.setString(8, at.toString());
                ps.setString(9, Json.strict().writeValueAsString(details));
                ps.setString(10, eventJson);
                return ps.executeUpdate();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
        });
        return new Written(id, eventJson);
    }
}
