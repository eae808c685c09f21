UPDATE api_keys SET revoked_at = now() WHERE organization_id = ? AND id = ? AND revoked_at IS NULL
