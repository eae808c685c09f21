DELETE FROM subscriptions WHERE organization_id = ? AND integration_id = ?
