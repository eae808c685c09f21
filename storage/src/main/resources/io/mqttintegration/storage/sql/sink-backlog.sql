-- A sink's backlog: rows in its outbox, the oldest one's receive time, and how many wait for a retry.
SELECT count(*), (SELECT received_at FROM sink_outbox WHERE sink_id = ? ORDER BY seq LIMIT 1),
       count(*) FILTER (WHERE next_attempt_at IS NOT NULL)
FROM sink_outbox WHERE sink_id = ?
