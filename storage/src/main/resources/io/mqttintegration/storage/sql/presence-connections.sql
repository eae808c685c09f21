-- Hosted connections of this node's broker, as it admitted and ended them: one row per event, each
-- column as one array, at most one event per device (the caller splits a flush where a device has
-- more, keeping their order). A connect makes the device online on this node with the connection
-- (every connect is a transition, with the node it left when it was online elsewhere); a disconnect
-- makes it offline only while device_presence still holds that connection: a device that has
-- reconnected meanwhile, here or on another node, stays online there. Devices of an integration
-- deleted meanwhile are skipped.
WITH me AS (
    SELECT ?::text AS node
), e AS (
    SELECT u.kind, u.organization_id, u.integration_id, u.device_id, u.connection_id, u.client_id, u.remote_address,
           u.at::timestamptz AS at, u.reason, u.will_published
    FROM unnest(?::text[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[])
         AS u (kind, organization_id, integration_id, device_id, connection_id, client_id, remote_address, at, reason, will_published)
    JOIN integrations i ON i.id = u.integration_id
), before AS (
    SELECT p.integration_id, p.device_id, p.node
    FROM device_presence p JOIN e ON e.kind = 'connect' AND p.integration_id = e.integration_id AND p.device_id = e.device_id
    WHERE p.state = 'online' AND p.node IS NOT NULL
), opened AS (
    INSERT INTO device_presence AS p (id, organization_id, integration_id, device_id, state, since, reason, node, connection_id,
                                      client_id, remote_address)
    SELECT gen_random_uuid(), e.organization_id, e.integration_id, e.device_id, 'online', e.at, 'connected', me.node,
           e.connection_id, e.client_id, e.remote_address
    FROM e, me
    WHERE e.kind = 'connect'
    ON CONFLICT (integration_id, device_id) DO UPDATE
    SET state = 'online', since = CASE WHEN p.state = 'online' THEN p.since ELSE excluded.since END, reason = 'connected',
        node = excluded.node, connection_id = excluded.connection_id, client_id = excluded.client_id,
        remote_address = excluded.remote_address
    RETURNING p.organization_id, p.integration_id, p.device_id, p.connection_id
), closed AS (
    UPDATE device_presence p
    SET state = 'offline', since = e.at, reason = e.reason, node = NULL, connection_id = NULL
    FROM e
    WHERE e.kind = 'disconnect' AND p.integration_id = e.integration_id AND p.device_id = e.device_id
      AND p.connection_id = e.connection_id AND p.state = 'online'
    RETURNING p.organization_id, p.integration_id, p.device_id, e.reason, e.at, e.client_id, e.remote_address, e.will_published
), changed AS (
    SELECT o.organization_id, o.integration_id, o.device_id, 'online'::text AS state, 'connected'::text AS reason,
           me.node, e.at,
           jsonb_strip_nulls(jsonb_build_object('clientId', e.client_id, 'remoteAddress', e.remote_address,
               'previousNode', CASE WHEN b.node <> me.node THEN b.node END)) AS details
    FROM opened o
    JOIN e ON e.kind = 'connect' AND e.integration_id = o.integration_id AND e.device_id = o.device_id
    CROSS JOIN me
    LEFT JOIN before b ON b.integration_id = o.integration_id AND b.device_id = o.device_id
    UNION ALL
    SELECT c.organization_id, c.integration_id, c.device_id, 'offline', c.reason, me.node, c.at,
           jsonb_strip_nulls(jsonb_build_object('clientId', c.client_id, 'remoteAddress', c.remote_address,
               'willPublished', c.will_published))
    FROM closed c CROSS JOIN me
)
