INSERT INTO sinks (id, organization_id, integration_id, name, kind, settings, secrets, topic_filter, topic_pattern, device_id,
                   body, include, paused, max_attempts)
VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id, organization_id, integration_id, name, kind, settings::text, secrets, topic_filter, device_id, body, include, paused,
          max_attempts, created_at, updated_at
