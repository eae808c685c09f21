-- Last seen, from what was stored: one row per device (the newest received_at of its messages
-- committed since the last flush), each column as one array. last_seen only grows. A device that was
-- offline comes online with reason message, but only for a message received after it went offline
-- (a hosted device's messages still in the ingest queue when it disconnected do not bring it back);
-- a device without a row gets one, online. Devices of an integration deleted meanwhile are skipped.
-- The UPDATE of an offline device rechecks its state on the row's newest version, so when two nodes
-- flush the same device at once only one records the transition; the other only moves last_seen.
WITH s AS (
    SELECT u.organization_id, u.integration_id, u.device_id, u.source, u.seen_at::timestamptz AS seen_at
    FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[])
         AS u (organization_id, integration_id, device_id, source, seen_at)
    JOIN integrations i ON i.id = u.integration_id
), woke AS (
    UPDATE device_presence p
    SET state = 'online', since = s.seen_at, reason = 'message', node = NULL, connection_id = NULL,
        last_seen = greatest(p.last_seen, s.seen_at),
        last_source = CASE WHEN p.last_seen IS NULL OR s.seen_at >= p.last_seen THEN s.source ELSE p.last_source END
    FROM s
    WHERE p.integration_id = s.integration_id AND p.device_id = s.device_id AND p.state = 'offline' AND s.seen_at > p.since
    RETURNING p.organization_id, p.integration_id, p.device_id, p.since
), seen AS (
    UPDATE device_presence p
    SET last_seen = greatest(p.last_seen, s.seen_at),
        last_source = CASE WHEN p.last_seen IS NULL OR s.seen_at >= p.last_seen THEN s.source ELSE p.last_source END
    FROM s
    WHERE p.integration_id = s.integration_id AND p.device_id = s.device_id
      AND NOT EXISTS (SELECT 1 FROM woke w WHERE w.integration_id = s.integration_id AND w.device_id = s.device_id)
), fresh AS (
    INSERT INTO device_presence (id, organization_id, integration_id, device_id, state, since, reason, last_seen, last_source)
    SELECT gen_random_uuid(), s.organization_id, s.integration_id, s.device_id, 'online', s.seen_at, 'message', s.seen_at, s.source
    FROM s
    WHERE NOT EXISTS (SELECT 1 FROM device_presence p WHERE p.integration_id = s.integration_id AND p.device_id = s.device_id)
    ON CONFLICT (integration_id, device_id) DO NOTHING
    RETURNING organization_id, integration_id, device_id, since
), changed AS (
    SELECT organization_id, integration_id, device_id, 'online'::text AS state, 'message'::text AS reason, NULL::text AS node,
           since AS at, '{}'::jsonb AS details
    FROM woke
    UNION ALL
    SELECT organization_id, integration_id, device_id, 'online', 'message', NULL, since, '{}'::jsonb
    FROM fresh
)
