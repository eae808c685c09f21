-- Readings newest first, among the rows received in [lo, hi) (the parameters after the organization):
-- the receive months that can hold them (ReceiveMonths, from the per-month ts bounds). The reading time
-- ts is not the partition key (received_at is), so it is these bounds that let PostgreSQL read only
-- those months' partitions (pruned when planning: the others are not in the plan).
SELECT device_id, ts, metrics::text, units::text, topic, integration_id, message_id, seq
FROM mqtt_messages
WHERE organization_id = ?
  AND device_id IS NOT NULL
  AND received_at >= ?::timestamptz AND received_at < ?::timestamptz
  AND (?::uuid IS NULL OR integration_id = ?::uuid)
  AND (?::text IS NULL OR device_id = ?::text)
  AND (?::text IS NULL OR jsonb_exists(metrics, ?::text))
  AND (?::timestamptz IS NULL OR ts >= ?::timestamptz)
  AND (?::timestamptz IS NULL OR ts < ?::timestamptz)
  AND (?::timestamptz IS NULL OR (ts, message_id, seq) < (?::timestamptz, ?::uuid, ?::int))
ORDER BY ts DESC, message_id DESC, seq DESC
LIMIT ?
