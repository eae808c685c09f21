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
GROUP BY bucket
ORDER BY bucket
LIMIT 10000
