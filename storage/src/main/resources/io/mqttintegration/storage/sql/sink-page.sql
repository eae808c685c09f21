-- The next messages a sink delivers, in outbox order: those due (never tried, or whose retry time
-- came), except those of a device that has an earlier message waiting for its retry (a device's
-- messages go out in order). The message itself is read from mqtt_messages (its first row; with
-- readings, every row's reading); a message the retention purge removed first comes back without topic.
-- The rows the deliverer holds already (queued, in flight, delivered and not yet deleted) are left out.
SELECT o.seq, o.message_id, o.received_at, o.device_id, o.attempts, m.integration_id, m.source, m.topic, m.payload,
       m.content_type,
       CASE WHEN ? THEN (SELECT jsonb_agg(jsonb_build_object('deviceId', x.device_id, 'ts', x.ts, 'metrics', x.metrics,
                                                             'units', x.units) ORDER BY x.seq)
                         FROM mqtt_messages x
                         WHERE x.message_id = o.message_id AND x.received_at = o.received_at AND x.ts IS NOT NULL)::text
       END
FROM sink_outbox o
LEFT JOIN mqtt_messages m ON m.message_id = o.message_id AND m.received_at = o.received_at AND m.seq = 0
WHERE o.sink_id = ? AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= now()) AND NOT (o.seq = ANY (?))
  AND NOT EXISTS (SELECT 1 FROM sink_outbox w
                  WHERE w.sink_id = o.sink_id AND w.next_attempt_at > now() AND w.seq < o.seq
                    AND w.device_id IS NOT DISTINCT FROM o.device_id)
ORDER BY o.seq
LIMIT ?
