-- The receive months whose ts bounds (V13's mqtt_ts_bounds) meet a readings query's range, newest
-- first (ReceiveMonths): max_ts >= from, min_ts < to, and min_ts <= the time of the cursor a next page
-- starts after (that page's readings are not newer than it). A table of one row per month.
SELECT month, max_ts
FROM mqtt_ts_bounds
WHERE (?::timestamptz IS NULL OR max_ts >= ?::timestamptz)
  AND (?::timestamptz IS NULL OR min_ts < ?::timestamptz)
  AND (?::timestamptz IS NULL OR min_ts <= ?::timestamptz)
ORDER BY month DESC
