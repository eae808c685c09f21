INSERT INTO subscriptions (integration_id, organization_id, topics, qos) VALUES (?, ?, ?, ?)
ON CONFLICT (integration_id) DO UPDATE SET topics = EXCLUDED.topics, qos = EXCLUDED.qos, updated_at = now()
RETURNING integration_id, organization_id, topics, qos
