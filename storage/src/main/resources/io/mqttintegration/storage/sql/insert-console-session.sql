INSERT INTO console_sessions (id, token_hash, csrf_token, operator, organization_id, key_id, expires_at)
VALUES (?, ?, ?, ?, ?, ?, now() + make_interval(mins => ?))
RETURNING expires_at
