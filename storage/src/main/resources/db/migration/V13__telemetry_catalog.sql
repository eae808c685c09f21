-- Two small tables the batch writer keeps beside mqtt_messages so that the telemetry queries need not
-- walk every monthly partition (issue 17; docs/architecture.md "Device catalog and ts bounds").
--
-- 1. mqtt_device_catalog: every (organization, integration, device) that has sent a reading, and when
--    it was first seen. GET /telemetry/latest takes its devices from here instead of a loose index scan
--    over all partitions (telemetry-latest.sql). The writer inserts a key in the same transaction as
--    the batch's rows, only for keys it has not seen (ON CONFLICT DO NOTHING: no row lock on an
--    existing row). Retention leaves the rows: a device whose readings all expired has no newest
--    reading and drops out of the answer. Deleting an integration or organization deletes its rows.
-- 2. mqtt_ts_bounds: per month of received_at (UTC, whichever partition holds the rows), the smallest
--    and largest reading time ts received that month, widened by the writer (rounded out to whole UTC
--    days) in the batch's transaction. A query over a ts range reads only the months whose bounds meet
--    the range (mqi_received_span): PostgreSQL then prunes the other partitions at run time. Bounds
--    only widen; a bound wider than the data costs a partition read, never a row.

CREATE TABLE mqtt_device_catalog (
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id   uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    device_id        text NOT NULL,
    first_seen       timestamptz NOT NULL,
    PRIMARY KEY (organization_id, integration_id, device_id)
);
GRANT SELECT, INSERT ON mqtt_device_catalog TO mqi_app;
ALTER TABLE mqtt_device_catalog ENABLE ROW LEVEL SECURITY;
ALTER TABLE mqtt_device_catalog FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mqtt_device_catalog
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

-- No row-level security on purpose: a row is a month and two times, over all organizations together;
-- it names no organization, integration, device or value. The service's role reads it only to choose
-- partitions, and a query's answer is the same whichever partitions it reads (the bounds only skip
-- months that cannot hold a matching row), so an organization learns nothing of another's data from it.
CREATE TABLE mqtt_ts_bounds (
    month   date PRIMARY KEY CHECK (month = date_trunc('month', month)),
    min_ts  timestamptz NOT NULL,
    max_ts  timestamptz NOT NULL CHECK (max_ts >= min_ts)
);
GRANT SELECT, INSERT, UPDATE ON mqtt_ts_bounds TO mqi_app;

-- The receive times [lo, hi) that can hold a reading with ts in [ts_from, ts_to): from the first
-- month whose bounds meet the range to the end of the last. Either end NULL is open; both NULL is
-- every time (-infinity, infinity), rows without ts included. No month meets the range: (NULL, NULL),
-- and "received_at >= NULL" matches nothing, so the query prunes every partition and reads none.
CREATE FUNCTION mqi_received_span(ts_from timestamptz, ts_to timestamptz)
RETURNS TABLE (lo timestamptz, hi timestamptz)
LANGUAGE sql STABLE SET search_path = ${flyway:defaultSchema} AS
$$
    SELECT CASE WHEN ts_from IS NULL AND ts_to IS NULL THEN '-infinity'::timestamptz
                ELSE min(b.month)::timestamp AT TIME ZONE 'UTC' END,
           CASE WHEN ts_from IS NULL AND ts_to IS NULL THEN 'infinity'::timestamptz
                ELSE (max(b.month) + interval '1 month') AT TIME ZONE 'UTC' END
    FROM mqtt_ts_bounds b
    WHERE (ts_from IS NULL OR b.max_ts >= ts_from)
      AND (ts_to IS NULL OR b.min_ts < ts_to)
$$;
REVOKE ALL ON FUNCTION mqi_received_span(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mqi_received_span(timestamptz, timestamptz) TO mqi_app;

-- The owner is held to the policies too (FORCE): this migration's own reads are the operator's.
DO $$ BEGIN PERFORM set_config('mqi.operator', 'on', true); END $$;

-- Both fills read every row of mqtt_messages once (a sequential scan of each partition with a hash
-- aggregate): on the 30-million-row bench database (13 GB) that is minutes of I/O, during which the
-- migration's transaction holds the new tables (nothing else uses them yet) and only reads
-- mqtt_messages. The bounds are the exact ones (not rounded): the writer rounds only what it adds.
INSERT INTO mqtt_device_catalog (organization_id, integration_id, device_id, first_seen)
SELECT organization_id, integration_id, device_id, min(received_at)
FROM mqtt_messages
WHERE organization_id IS NOT NULL AND integration_id IS NOT NULL AND device_id IS NOT NULL
GROUP BY organization_id, integration_id, device_id;

INSERT INTO mqtt_ts_bounds (month, min_ts, max_ts)
SELECT date_trunc('month', received_at AT TIME ZONE 'UTC')::date, min(ts), max(ts)
FROM mqtt_messages
WHERE ts IS NOT NULL
GROUP BY 1;
