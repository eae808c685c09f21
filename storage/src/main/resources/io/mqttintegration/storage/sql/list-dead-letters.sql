SELECT id, message_id, organization_id, integration_id, source, topic, payload, reason, route_id, created_at, replayed_at
FROM dead_letters
ORDER BY created_at DESC, id
LIMIT ?
