UPDATE subscriptions SET owner_node = coalesce(owner_node, ?) WHERE integration_id = ? RETURNING owner_node
