-- One metric in time buckets over [from, to) of the readings' time ts. span: the receive times that can
-- hold such a reading (V13's mqi_received_span), so only those months' partitions are read.
WITH span AS MATERIALIZED (SELECT lo, hi FROM mqi_received_span(?::timestamptz, ?::timestamptz))
SELECT date_bin(?::interval, ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
       count(*) AS n,
       avg((metrics->>?)::numeric) AS avg,
       min((metrics->>?)::numeric) AS min,
       max((metrics->>?)::numeric) AS max
FROM mqtt_messages
WHERE organization_id = ?
  AND (?::uuid IS NULL OR integration_id = ?::uuid)
  AND (?::text IS NULL OR device_id = ?::text)
  AND jsonb_typeof(metrics->?) = 'number'
  AND ts >= ?::timestamptz AND ts < ?::timestamptz
  AND received_at >= (SELECT lo FROM span) AND received_at < (SELECT hi FROM span)
GROUP BY bucket
ORDER BY bucket
LIMIT 10000
