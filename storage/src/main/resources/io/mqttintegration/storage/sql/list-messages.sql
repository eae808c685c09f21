SELECT message_id, integration_id, source, topic, content_type, payload, parse_status, parse_error, received_at
FROM mqtt_messages
WHERE organization_id = ?
  AND seq = 0
  AND (?::uuid IS NULL OR integration_id = ?::uuid)
  AND (?::text IS NULL OR topic = ?::text)
  AND (?::timestamptz IS NULL OR received_at >= ?::timestamptz)
  AND (?::timestamptz IS NULL OR received_at < ?::timestamptz)
  AND (?::timestamptz IS NULL OR (received_at, message_id) < (?::timestamptz, ?::uuid))
ORDER BY received_at DESC, message_id DESC
LIMIT ?
