INSERT INTO subscriptions (integration_id, organization_id, topics, qos, owner_node) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (integration_id) DO UPDATE SET topics = EXCLUDED.topics, qos = EXCLUDED.qos, owner_node = EXCLUDED.owner_node,
    updated_at = now()
RETURNING integration_id, organization_id, topics, qos
