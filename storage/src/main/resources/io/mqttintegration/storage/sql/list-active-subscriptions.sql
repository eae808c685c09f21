SELECT s.integration_id, s.organization_id, s.topics, s.qos, greatest(s.updated_at, i.updated_at), s.owner_node,
    i.settings->>'sharedGroup'
FROM subscriptions s JOIN integrations i ON i.id = s.integration_id
WHERE i.enabled
ORDER BY s.created_at
