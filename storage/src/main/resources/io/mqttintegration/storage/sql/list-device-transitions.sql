-- A device's transitions, newest first (index device_transitions_device).
SELECT id, state, reason, node, at, details::text
FROM device_transitions
WHERE organization_id = ? AND integration_id = ? AND device_id = ?
ORDER BY at DESC, id DESC
LIMIT ?
