INSERT INTO mqtt_messages
    (message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
     device_id, ts, metrics, units, parse_status, parse_error, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?)
