UPDATE sinks SET name = ?, settings = ?::jsonb, secrets = ?, topic_filter = ?, topic_pattern = ?, device_id = ?, body = ?,
                 include = ?, paused = ?, max_attempts = ?, updated_at = now()
WHERE organization_id = ? AND id = ?
RETURNING id, organization_id, integration_id, name, kind, settings::text, secrets, topic_filter, device_id, body, include, paused,
          max_attempts, created_at, updated_at
