SELECT id, organization_id, name, type, settings::text, secrets, enabled, created_at, updated_at
FROM integrations
WHERE (?::uuid IS NULL OR organization_id = ?::uuid)
ORDER BY organization_id, id
LIMIT ?
