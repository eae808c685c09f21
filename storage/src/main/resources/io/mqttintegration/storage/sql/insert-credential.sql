INSERT INTO mqtt_credentials (id, organization_id, integration_id, username, password_hash)
VALUES (?, ?, ?, ?, ?)
RETURNING id, username, created_at, revoked_at
