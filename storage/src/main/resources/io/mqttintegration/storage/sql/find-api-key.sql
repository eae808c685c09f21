SELECT id, organization_id, integration_id, scopes, key_hash
FROM api_keys WHERE prefix = ? AND revoked_at IS NULL
