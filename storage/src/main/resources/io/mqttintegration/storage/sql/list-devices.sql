-- One organization's devices (GET /api/v1/devices), a page in (integration_id, device_id) order, the
-- device's unique key, after the previous page's last one when given. A state filter reads the
-- index device_presence_organization (organization_id, state, integration_id, device_id) in this
-- order; q keeps the device ids that start with it.
SELECT id, organization_id, integration_id, device_id, state, since, reason, last_seen, last_source, node, connection_id,
       client_id, remote_address
FROM device_presence
WHERE organization_id = ?
  AND (?::uuid IS NULL OR integration_id = ?::uuid)
  AND (?::text IS NULL OR state = ?::text)
  AND (?::text IS NULL OR starts_with(device_id, ?::text))
  AND (?::uuid IS NULL OR (integration_id, device_id) > (?::uuid, ?::text))
ORDER BY integration_id, device_id
LIMIT ?
