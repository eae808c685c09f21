-- The next messages a sink delivers, in outbox order: those due (never tried, or whose retry time
-- came), except those of a device that has an earlier message waiting for its retry (a device's
-- messages go out in order). The rows the deliverer holds already (queued, in flight, delivered and
-- not yet deleted) are left out: NOT IN a subquery, which PostgreSQL probes as a hash (as
-- "seq <> ALL (array)" it compared each row with every held seq: 0.5 s for a backlog of 95,000 rows
-- and 750 held). The page is chosen first and only its rows are joined to the messages: joined before
-- the limit, PostgreSQL read, joined and sorted the sink's whole backlog for every page (1.1 s for
-- that backlog, measured on the assembly). The message itself is read from mqtt_messages (its first
-- row; with readings, every row's reading); a message the retention purge removed first comes back
-- without topic. A presence event's row carries the event (message_id is then the transition's id):
-- it is not looked up in mqtt_messages, and its integration is the event's.
WITH page AS MATERIALIZED (
    SELECT o.seq, o.message_id, o.received_at, o.device_id, o.attempts, o.event
    FROM sink_outbox o
    WHERE o.sink_id = ? AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= now())
      AND o.seq NOT IN (SELECT unnest(?::bigint[]))
      AND NOT EXISTS (SELECT 1 FROM sink_outbox w
                      WHERE w.sink_id = o.sink_id AND w.next_attempt_at > now() AND w.seq < o.seq
                        AND w.device_id IS NOT DISTINCT FROM o.device_id)
    ORDER BY o.sink_id, o.seq
    LIMIT ?
)
SELECT p.seq, p.message_id, p.received_at, p.device_id, p.attempts,
       coalesce(m.integration_id, (p.event ->> 'integrationId')::uuid), m.source, m.topic, m.payload, m.content_type,
       CASE WHEN ? AND p.event IS NULL
            THEN (SELECT jsonb_agg(jsonb_build_object('deviceId', x.device_id, 'ts', x.ts, 'metrics', x.metrics,
                                                      'units', x.units) ORDER BY x.seq)
                  FROM mqtt_messages x
                  WHERE x.message_id = p.message_id AND x.received_at = p.received_at AND x.ts IS NOT NULL)::text
       END,
       p.event::text
FROM page p
LEFT JOIN mqtt_messages m ON p.event IS NULL AND m.message_id = p.message_id AND m.received_at = p.received_at AND m.seq = 0
ORDER BY p.seq
