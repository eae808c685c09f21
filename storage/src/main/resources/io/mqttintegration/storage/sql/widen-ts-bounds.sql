-- The per-month ts bounds a batch widens (TelemetryIndex: a reading time outside the bounds its writer
-- knows for the month it was received in, rounded out to whole UTC days), in the batch's transaction:
-- a query that sees the rows sees their bounds. Bounds only widen. Months in order: two writers
-- widening the same months lock their rows in the same order.
INSERT INTO mqtt_ts_bounds AS b (month, min_ts, max_ts)
SELECT month::date, min_ts::timestamptz, max_ts::timestamptz
FROM unnest(?::text[], ?::text[], ?::text[]) AS u (month, min_ts, max_ts)
ORDER BY 1
ON CONFLICT (month) DO UPDATE SET min_ts = least(b.min_ts, excluded.min_ts), max_ts = greatest(b.max_ts, excluded.max_ts)
WHERE excluded.min_ts < b.min_ts OR excluded.max_ts > b.max_ts
