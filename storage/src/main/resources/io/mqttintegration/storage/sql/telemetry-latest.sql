SELECT DISTINCT ON (device_id) device_id, ts, metrics::text, units::text, topic, integration_id, message_id, seq
FROM mqtt_messages
WHERE organization_id = ?
  AND device_id IS NOT NULL
  AND (?::uuid IS NULL OR integration_id = ?::uuid)
  AND (?::text IS NULL OR device_id = ?::text)
ORDER BY device_id, ts DESC
LIMIT 10000
