-- Moves outbox rows to the sink's dead letters with the reason (after the last attempt, or over the backlog bound);
-- a presence event's row keeps its event.
WITH moved AS (
    DELETE FROM sink_outbox WHERE sink_id = ? AND seq = ANY (?)
    RETURNING sink_id, organization_id, message_id, received_at, device_id, attempts, seq, event
)
INSERT INTO sink_dead_letters (id, sink_id, organization_id, message_id, received_at, device_id, attempts, reason, event)
SELECT gen_random_uuid(), sink_id, organization_id, message_id, received_at, device_id, attempts + 1, ?, event
FROM moved ORDER BY seq
