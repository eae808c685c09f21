SELECT 1 FROM subscription_sessions WHERE integration_id = ? AND client_id = ? AND filters = ? AND qos = ?
