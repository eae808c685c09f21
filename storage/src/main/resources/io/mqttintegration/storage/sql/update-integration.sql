UPDATE integrations SET name = ?, settings = ?::jsonb, secrets = ?, enabled = ?, updated_at = now()
WHERE organization_id = ? AND id = ?
RETURNING id, organization_id, name, type, settings::text, secrets, enabled, created_at, updated_at
