-- telemetry-export readings: one integration's readings received in [from, to), oldest first, read
-- through a server-side cursor. The range is on received_at (not the reading's own ts) so that a
-- table partitioned by receive time reads only the partitions the range touches.
SELECT device_id, ts, metrics::text, units::text, topic, integration_id, received_at
FROM mqtt_messages
WHERE organization_id = ?
  AND integration_id = ?
  AND device_id IS NOT NULL
  AND (?::text IS NULL OR device_id = ?::text)
  AND received_at >= ?
  AND received_at < ?
ORDER BY received_at, message_id, seq
