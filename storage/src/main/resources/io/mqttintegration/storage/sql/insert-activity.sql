INSERT INTO activity_log (organization_id, integration_id, actor_key_id, actor, action, outcome, detail)
VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)
