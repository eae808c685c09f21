-- telemetry-export messages: one integration's messages (the first row of each) received in
-- [from, to), oldest first, read through a server-side cursor. The range is on received_at, the
-- partition key of a table partitioned by receive time.
SELECT message_id, integration_id, source, topic, content_type, payload, parse_status, parse_error, received_at
FROM mqtt_messages
WHERE organization_id = ?
  AND integration_id = ?
  AND seq = 0
  AND received_at >= ?
  AND received_at < ?
ORDER BY received_at, message_id
