SELECT id, organization_id, integration_id, name, prefix, scopes, created_at, revoked_at
FROM api_keys WHERE organization_id = ? ORDER BY created_at DESC, id
