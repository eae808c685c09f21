-- Readings newest first. The reading time ts is not the partition key (received_at is): span is the
-- receive times that can hold a ts of [from, to) (V13's mqi_received_span, from the per-month ts
-- bounds; every time when neither end is given), so PostgreSQL reads only those months' partitions
-- (pruned at run time: the others show "never executed" in a plan) and none when no month matches.
WITH span AS MATERIALIZED (SELECT lo, hi FROM mqi_received_span(?::timestamptz, ?::timestamptz))
SELECT device_id, ts, metrics::text, units::text, topic, integration_id, message_id, seq
FROM mqtt_messages
WHERE organization_id = ?
  AND device_id IS NOT NULL
  AND (?::uuid IS NULL OR integration_id = ?::uuid)
  AND (?::text IS NULL OR device_id = ?::text)
  AND (?::text IS NULL OR jsonb_exists(metrics, ?::text))
  AND (?::timestamptz IS NULL OR ts >= ?::timestamptz)
  AND (?::timestamptz IS NULL OR ts < ?::timestamptz)
  AND received_at >= (SELECT lo FROM span) AND received_at < (SELECT hi FROM span)
  AND (?::timestamptz IS NULL OR (ts, message_id, seq) < (?::timestamptz, ?::uuid, ?::int))
ORDER BY ts DESC, message_id DESC, seq DESC
LIMIT ?
