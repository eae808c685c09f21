SELECT id, organization_id, name, type, settings::text, secrets, enabled, created_at, updated_at
FROM integrations
WHERE organization_id = ? AND (?::uuid IS NULL OR id > ?::uuid)
ORDER BY id
LIMIT ?
