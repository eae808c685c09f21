-- The device keys of a batch that its writer had not seen (TelemetryIndex), in the batch's
-- transaction. DO NOTHING leaves an existing row alone without locking it; two writers adding the same
-- new key at once: the second waits for the first's commit and then does nothing. Ordered, so that two
-- writers adding several keys take them in the same order (no deadlock).
INSERT INTO mqtt_device_catalog (organization_id, integration_id, device_id, first_seen)
SELECT organization_id, integration_id, device_id, first_seen::timestamptz
FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[]) AS u (organization_id, integration_id, device_id, first_seen)
ORDER BY organization_id, integration_id, device_id
ON CONFLICT DO NOTHING
