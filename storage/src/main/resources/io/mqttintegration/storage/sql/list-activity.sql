SELECT id, integration_id, actor, action, outcome, detail::text, created_at
FROM activity_log
WHERE organization_id = ? AND integration_id = ? AND (?::bigint IS NULL OR id < ?::bigint)
ORDER BY id DESC
LIMIT ?
