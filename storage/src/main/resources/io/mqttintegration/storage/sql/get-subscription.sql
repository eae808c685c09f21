SELECT integration_id, organization_id, topics, qos FROM subscriptions WHERE organization_id = ? AND integration_id = ?
