INSERT INTO api_keys (id, organization_id, integration_id, name, prefix, key_hash, scopes)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING id, organization_id, integration_id, name, prefix, scopes, created_at, revoked_at
