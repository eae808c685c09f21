-- Operator view (the console): the sinks of every organization, of one, or of one integration, with
-- the node that delivers each: its lease holder while the lease runs (NULL when no node holds it:
-- paused, no node delivers sinks, or the node that held it died and its lease ran out).
SELECT id, organization_id, integration_id, name, kind, settings::text, secrets, topic_filter, device_id, body, include, paused,
       max_attempts, created_at, updated_at, CASE WHEN lease_until > now() THEN lease_node END
FROM sinks
WHERE (?::uuid IS NULL OR organization_id = ?::uuid) AND (?::uuid IS NULL OR integration_id = ?::uuid)
ORDER BY organization_id, integration_id, name
LIMIT ?
