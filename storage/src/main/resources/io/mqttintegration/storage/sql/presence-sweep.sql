-- The sweep, run by every node (each transition happens once whichever node runs it: each UPDATE
-- rechecks its conditions on the row's newest version, so a device another node took offline
-- meanwhile is left alone).
-- Inactivity: a device online without a hosted connection whose last message is older than its
-- integration's inactivityTimeoutSeconds (the settings' value, else the default given here; 0 =
-- never) goes offline, reason inactivity.
-- Lost nodes: a device online on another node whose heartbeat is older than the node timeout (or
-- that stopped, or has no row) goes offline, reason node_lost, with the node it was on.
-- The two never take the same device: one needs no connection, the other one.
WITH me AS (
    SELECT ?::text AS node, ?::integer * interval '1 second' AS node_timeout, ?::integer AS default_inactivity
), idle AS (
    UPDATE device_presence p
    SET state = 'offline', since = now(), reason = 'inactivity'
    FROM integrations i, me
    WHERE i.id = p.integration_id AND p.state = 'online' AND p.connection_id IS NULL
      AND coalesce((i.settings ->> 'inactivityTimeoutSeconds')::integer, me.default_inactivity) > 0
      AND coalesce(p.last_seen, p.since)
          < now() - coalesce((i.settings ->> 'inactivityTimeoutSeconds')::integer, me.default_inactivity) * interval '1 second'
    RETURNING p.organization_id, p.integration_id, p.device_id, p.since, p.last_seen
), was AS (
    SELECT p.id, p.node
    FROM device_presence p, me
    WHERE p.node IS NOT NULL AND p.state = 'online' AND p.node <> me.node
      AND NOT EXISTS (SELECT 1 FROM service_nodes n
                      WHERE n.node_id = p.node AND n.stopped_at IS NULL AND n.heartbeat_at >= now() - me.node_timeout)
), lost AS (
    UPDATE device_presence p
    SET state = 'offline', since = now(), reason = 'node_lost', node = NULL, connection_id = NULL
    FROM was
    WHERE p.id = was.id AND p.state = 'online' AND p.node = was.node
    RETURNING p.organization_id, p.integration_id, p.device_id, p.since, was.node AS previous_node, p.client_id
), changed AS (
    SELECT organization_id, integration_id, device_id, 'offline'::text AS state, 'inactivity'::text AS reason, NULL::text AS node,
           since AS at, jsonb_strip_nulls(jsonb_build_object('lastSeen', last_seen)) AS details
    FROM idle
    UNION ALL
    SELECT organization_id, integration_id, device_id, 'offline', 'node_lost', previous_node, since,
           jsonb_strip_nulls(jsonb_build_object('previousNode', previous_node, 'clientId', client_id))
    FROM lost
)
