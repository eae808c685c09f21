-- The newest reading of every device of the organization (of one integration, when given). The devices
-- come from the device catalog (V13; one index range). Each device's newest reading is then found in
-- two steps, each a top-1 of the (organization_id | integration_id, device_id, ts DESC) index, so that
-- it is not one probe in every monthly partition:
--   c: its newest reading among the rows received in the last two months of the ts bounds (their
--      partitions only, pruned at run time), none if it sent nothing then;
--   l: its newest reading with ts >= c.ts, among the rows received in the months whose ts bounds reach
--      c.ts (mqi_received_span(c.ts, NULL): a reading newer than c was received in such a month, as its
--      month's bounds hold its ts). Usually the same one or two partitions. Without c: every month.
-- A device in the catalog without a reading left (all expired) has no l and is not in the answer.
WITH recent AS MATERIALIZED (
    SELECT coalesce((max(month) - interval '1 month') AT TIME ZONE 'UTC', '-infinity'::timestamptz) AS lo
    FROM mqtt_ts_bounds
)
SELECT l.device_id, l.ts, l.metrics::text, l.units::text, l.topic, l.integration_id, l.message_id, l.seq
FROM (SELECT DISTINCT d.device_id
      FROM mqtt_device_catalog d
      WHERE d.organization_id = ? AND (?::uuid IS NULL OR d.integration_id = ?::uuid)) d
LEFT JOIN LATERAL (
    SELECT m.ts
    FROM mqtt_messages m
    WHERE m.organization_id = ? AND m.device_id = d.device_id
      AND (?::uuid IS NULL OR m.integration_id = ?::uuid)
      AND m.received_at >= (SELECT lo FROM recent)
    ORDER BY m.ts DESC
    LIMIT 1
) c ON true
CROSS JOIN LATERAL (SELECT coalesce(s.lo, '-infinity'::timestamptz) AS lo FROM mqi_received_span(c.ts, NULL) s) s
CROSS JOIN LATERAL (
    SELECT m.device_id, m.ts, m.metrics, m.units, m.topic, m.integration_id, m.message_id, m.seq
    FROM mqtt_messages m
    WHERE m.organization_id = ? AND m.device_id = d.device_id
      AND (?::uuid IS NULL OR m.integration_id = ?::uuid)
      AND m.received_at >= s.lo AND (c.ts IS NULL OR m.ts >= c.ts)
    ORDER BY m.ts DESC
    LIMIT 1
) l
ORDER BY l.device_id
LIMIT 10000
