-- The oldest outbox rows of a sink beyond the newest N.
SELECT seq FROM sink_outbox WHERE sink_id = ? ORDER BY seq DESC OFFSET ?
