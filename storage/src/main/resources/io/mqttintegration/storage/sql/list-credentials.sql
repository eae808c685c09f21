SELECT id, username, created_at, revoked_at FROM mqtt_credentials
WHERE organization_id = ? AND integration_id = ? ORDER BY created_at DESC, id
