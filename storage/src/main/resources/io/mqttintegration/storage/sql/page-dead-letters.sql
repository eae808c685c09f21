SELECT id, message_id, organization_id, integration_id, source, topic, payload, reason, route_id, created_at, replayed_at
FROM dead_letters
WHERE organization_id = ?
  AND (CAST(? AS uuid) IS NULL OR integration_id = CAST(? AS uuid))
  AND (CAST(? AS timestamptz) IS NULL OR (created_at, id) < (CAST(? AS timestamptz), CAST(? AS uuid)))
ORDER BY created_at DESC, id DESC
LIMIT ?
