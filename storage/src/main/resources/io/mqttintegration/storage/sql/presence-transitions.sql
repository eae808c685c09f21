-- The tail of every statement that changes device presence: it follows the statement's CTE "changed"
-- (organization_id, integration_id, device_id, state, reason, node, at, details), one row per
-- transition, at most one per device. Each becomes a row of device_transitions and, for every sink
-- of its integration that forwards events (include events or both, and its device when the sink
-- names one), an outbox row carrying the event itself (docs/devices.md, "Events"): in the same
-- statement, so an event leaves if and only if its transition was committed. The statement returns
-- the transitions (for the metrics and the trimming of the history).
, t AS (
    INSERT INTO device_transitions (id, organization_id, integration_id, device_id, state, reason, node, at, details)
    SELECT gen_random_uuid(), organization_id, integration_id, device_id, state, reason, node, at, details
    FROM changed
    RETURNING id, organization_id, integration_id, device_id, state, reason, node, at, details
), events AS (
    INSERT INTO sink_outbox (sink_id, organization_id, message_id, received_at, device_id, event)
    SELECT s.id, t.organization_id, t.id, t.at, t.device_id,
           jsonb_build_object('type', 'presence', 'id', t.id, 'integrationId', t.integration_id, 'deviceId', t.device_id,
                              'state', t.state, 'reason', t.reason,
                              'at', to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                              'node', t.node, 'details', t.details)
    FROM t JOIN sinks s ON s.integration_id = t.integration_id
    WHERE s.include IN ('events', 'both') AND (s.device_id IS NULL OR s.device_id = t.device_id)
    ORDER BY t.at, t.id, s.id
)
SELECT integration_id, device_id, state, reason FROM t
