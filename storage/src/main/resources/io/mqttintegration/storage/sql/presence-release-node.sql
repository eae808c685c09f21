-- The devices still online on this node's broker go offline with the reason given: node_stopped
-- once a clean stop has reported its connections (any left), node_lost at start (a previous
-- process of this node ended without reporting them: its connections are gone).
WITH me AS (
    SELECT ?::text AS node, ?::text AS reason
), gone AS (
    UPDATE device_presence p
    SET state = 'offline', since = now(), reason = me.reason, node = NULL, connection_id = NULL
    FROM me
    WHERE p.node = me.node AND p.state = 'online'
    RETURNING p.organization_id, p.integration_id, p.device_id, p.since, me.reason, me.node, p.client_id
), changed AS (
    SELECT organization_id, integration_id, device_id, 'offline'::text AS state, reason, node, since AS at,
           jsonb_strip_nulls(jsonb_build_object('clientId', client_id)) AS details
    FROM gone
)
