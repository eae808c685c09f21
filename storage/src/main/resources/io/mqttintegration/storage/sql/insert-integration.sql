INSERT INTO integrations (id, organization_id, name, type, settings, secrets, enabled)
VALUES (?, ?, ?, ?, ?::jsonb, ?, ?)
RETURNING id, organization_id, name, type, settings::text, secrets, enabled, created_at, updated_at
