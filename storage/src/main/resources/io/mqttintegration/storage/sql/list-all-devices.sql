-- Every organization's devices (operator: mqtt:device-list), by organization, integration and device,
-- of one state and one integration when given.
SELECT id, organization_id, integration_id, device_id, state, since, reason, last_seen, last_source, node, connection_id,
       client_id, remote_address
FROM device_presence
WHERE (?::uuid IS NULL OR integration_id = ?::uuid)
  AND (?::text IS NULL OR state = ?::text)
ORDER BY organization_id, integration_id, device_id
LIMIT ?
