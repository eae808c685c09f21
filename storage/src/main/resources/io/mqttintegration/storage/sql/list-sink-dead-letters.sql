SELECT d.id, d.sink_id, d.message_id, d.received_at, d.device_id, d.attempts, d.reason, d.failed_at, d.replayed_at, d.event::text
FROM sink_dead_letters d
WHERE d.organization_id = ? AND d.sink_id = ?
ORDER BY d.failed_at DESC, d.id
LIMIT ?
