SELECT id, organization_id, integration_id, name, kind, settings::text, secrets, topic_filter, device_id, body, include, paused,
       max_attempts, created_at, updated_at
FROM sinks WHERE organization_id = ? AND integration_id = ?
ORDER BY name
