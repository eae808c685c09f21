SELECT id, organization_id, name, type, settings::text, secrets, enabled, created_at, updated_at
FROM integrations WHERE id = ?
