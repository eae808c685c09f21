SELECT s.id, s.csrf_token, s.operator, s.organization_id, s.key_id, k.integration_id, k.scopes, s.expires_at
FROM console_sessions s
LEFT JOIN api_keys k ON k.id = s.key_id
WHERE s.token_hash = ? AND s.expires_at > now() AND (s.operator OR k.revoked_at IS NULL)
