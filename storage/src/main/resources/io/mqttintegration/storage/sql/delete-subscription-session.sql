DELETE FROM subscription_sessions WHERE integration_id = ? AND client_id = ?
