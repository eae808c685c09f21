INSERT INTO mqtt_messages
    (message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
     device_id, ts, metrics, units, parse_status, parse_error, received_at, client_message_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?)
ON CONFLICT (organization_id, integration_id, client_message_id, seq) WHERE client_message_id IS NOT NULL DO NOTHING
