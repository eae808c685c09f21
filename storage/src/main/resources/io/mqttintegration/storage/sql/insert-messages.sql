-- A batch of one organization in one statement: each column arrives as one array (row i of every
-- array is row i of the batch), so the batch costs one parse/bind/execute however many rows it has.
-- Timestamps and JSON travel as text and are cast here. A message sent again with its client
-- message id (same organization, integration and id) is stored once: later copies do nothing.
INSERT INTO mqtt_messages
    (message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
     device_id, ts, metrics, units, parse_status, parse_error, received_at, client_message_id)
SELECT message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
       device_id, ts::timestamptz, metrics::jsonb, units::jsonb, parse_status, parse_error, received_at::timestamptz,
       client_message_id
FROM unnest(?::uuid[], ?::integer[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::bytea[], ?::text[],
            ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
     AS r (message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
           device_id, ts, metrics, units, parse_status, parse_error, received_at, client_message_id)
ON CONFLICT (organization_id, integration_id, client_message_id, seq) WHERE client_message_id IS NOT NULL DO NOTHING
