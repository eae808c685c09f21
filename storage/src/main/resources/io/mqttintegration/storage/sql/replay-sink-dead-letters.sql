-- Sends a sink's dead letters (those given, or all not replayed yet when none are given) through its
-- outbox again, oldest first; each is marked replayed. A presence event goes back with its event.
WITH picked AS (
    UPDATE sink_dead_letters SET replayed_at = now()
    WHERE organization_id = ? AND sink_id = ? AND replayed_at IS NULL AND (cardinality(?::uuid[]) = 0 OR id = ANY (?::uuid[]))
    RETURNING sink_id, organization_id, message_id, received_at, device_id, event
)
INSERT INTO sink_outbox (sink_id, organization_id, message_id, received_at, device_id, event)
SELECT sink_id, organization_id, message_id, received_at, device_id, event FROM picked ORDER BY received_at, message_id
