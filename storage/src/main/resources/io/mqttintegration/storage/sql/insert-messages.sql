-- A batch of one organization in one statement: each column arrives as one array (row i of every
-- array is row i of the batch), so the batch costs one parse/bind/execute however many rows it has.
-- Timestamps and JSON travel as text and are cast here. A message sent again with its client
-- message id (same organization, integration and id) is stored once: its key goes into
-- mqtt_client_message_ids first, and only the rows of a message whose key was new (or that has no
-- client id) are inserted. The keys are not partitioned, so a copy received on another day (another
-- partition) is caught as well; two copies in one batch insert one key and the first copy's rows.
-- Each stored message then goes into the outbox of every sink of its integration whose topic filter
-- (and device, when it names one) it matches, in the batch's order: in the same statement, so a
-- message is forwarded if and only if it was committed, and a copy not stored is not forwarded. Only
-- sinks that forward data (include data or both) take messages; presence events enter the outbox of
-- those that forward events through the presence engine's own statement.
WITH r AS (
    SELECT message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
           device_id, ts::timestamptz AS ts, metrics::jsonb AS metrics, units::jsonb AS units, parse_status, parse_error,
           received_at::timestamptz AS received_at, client_message_id, ord
    FROM unnest(?::uuid[], ?::integer[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::bytea[], ?::text[],
                ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
         WITH ORDINALITY
         AS u (message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
               device_id, ts, metrics, units, parse_status, parse_error, received_at, client_message_id, ord)
), new_keys AS (
    INSERT INTO mqtt_client_message_ids (organization_id, integration_id, client_message_id, message_id, received_at)
    SELECT organization_id, integration_id, client_message_id, message_id, received_at
    FROM r WHERE client_message_id IS NOT NULL AND seq = 0
    ON CONFLICT (organization_id, integration_id, client_message_id) DO NOTHING
    RETURNING message_id
), stored AS (
INSERT INTO mqtt_messages
    (message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
     device_id, ts, metrics, units, parse_status, parse_error, received_at, client_message_id)
SELECT message_id, seq, organization_id, integration_id, source, topic, payload, content_type,
       device_id, ts, metrics, units, parse_status, parse_error, received_at, client_message_id
FROM r
WHERE r.client_message_id IS NULL OR r.message_id IN (SELECT message_id FROM new_keys)
RETURNING message_id, seq
)
INSERT INTO sink_outbox (sink_id, organization_id, message_id, received_at, device_id)
SELECT s.id, r.organization_id, r.message_id, r.received_at, r.device_id
FROM stored JOIN r ON r.message_id = stored.message_id AND r.seq = stored.seq
JOIN sinks s ON s.integration_id = r.integration_id
WHERE stored.seq = 0 AND s.include IN ('data', 'both') AND r.topic ~ s.topic_pattern
  AND (s.device_id IS NULL OR s.device_id = r.device_id)
ORDER BY r.ord, s.id
