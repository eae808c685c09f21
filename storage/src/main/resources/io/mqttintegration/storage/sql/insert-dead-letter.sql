INSERT INTO dead_letters
    (id, message_id, organization_id, integration_id, source, topic, payload, reason, route_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
