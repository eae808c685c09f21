-- One device of one organization (GET /api/v1/devices/{id}).
SELECT id, organization_id, integration_id, device_id, state, since, reason, last_seen, last_source, node, connection_id,
       client_id, remote_address
FROM device_presence
WHERE organization_id = ? AND id = ?
