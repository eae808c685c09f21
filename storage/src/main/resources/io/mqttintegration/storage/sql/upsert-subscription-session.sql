INSERT INTO subscription_sessions (integration_id, client_id, filters, qos) VALUES (?, ?, ?, ?)
ON CONFLICT (integration_id, client_id) DO UPDATE SET filters = EXCLUDED.filters, qos = EXCLUDED.qos, subscribed_at = now()
