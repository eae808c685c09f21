-- mqtt_messages partitioned by month of received_at (UTC), natively (issue 17; why a month, and what
-- each lock costs: docs/architecture.md "Partitions of mqtt_messages").
--
-- 1. Client message ids move to a table of their own. On a partitioned table every unique index must
--    include the partition column, so a unique (organization, integration, client id) there would only
--    be unique per month: a resend the next month would be stored again. mqtt_client_message_ids is not
--    partitioned; the writer inserts a message's key first (ON CONFLICT DO NOTHING) and its rows only
--    if the key was new, in one statement (insert-messages.sql). One key per message (its seq 0 row).
-- 2. The existing table becomes the first partition as it is, without copying a row: it is renamed,
--    and attached for every time up to the end of the migration's month (or its newest row's month). A
--    fresh database has no rows: its empty table is dropped instead. Later months get a partition each
--    (mqi_create_message_partition, called here for the next month, or this one and the next on a fresh
--    database, and by the service, PartitionMaintenance, ahead of time); a row of a month without one
--    lands in mqtt_messages_default and is moved into its month's partition when that is created.
-- 3. Row-level security: the policy of V2 on the parent filters every query through mqtt_messages.
--    mqi_app has no privilege on any partition (a grant on a partition would be checked against the
--    partition's own policies, not the parent's), and every partition carries the same forced policy
--    anyway, so a grant made by mistake still shows one organization its own rows only.

CREATE TABLE mqtt_client_message_ids (
    organization_id    uuid,
    integration_id     uuid REFERENCES integrations (id) ON DELETE CASCADE,
    client_message_id  text NOT NULL,
    message_id         uuid NOT NULL,
    -- The message's receive time: retention forgets a key with its message.
    received_at        timestamptz NOT NULL,
    CONSTRAINT mqtt_client_message_ids_key UNIQUE (organization_id, integration_id, client_message_id)
);
-- Retention forgets an organization's keys older than its retention.
CREATE INDEX mqtt_client_message_ids_received ON mqtt_client_message_ids (organization_id, received_at);
GRANT SELECT, INSERT, DELETE ON mqtt_client_message_ids TO mqi_app;
ALTER TABLE mqtt_client_message_ids ENABLE ROW LEVEL SECURITY;
ALTER TABLE mqtt_client_message_ids FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mqtt_client_message_ids
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

-- The owner is held to the policies too (FORCE): this migration's own reads are the operator's.
DO $$ BEGIN PERFORM set_config('mqi.operator', 'on', true); END $$;

-- The seq 0 row of a message that repeated an id was skipped, so seq 0 rows are one per key.
INSERT INTO mqtt_client_message_ids (organization_id, integration_id, client_message_id, message_id, received_at)
SELECT organization_id, integration_id, client_message_id, message_id, received_at
FROM mqtt_messages WHERE client_message_id IS NOT NULL AND seq = 0
ON CONFLICT DO NOTHING;

ALTER TABLE mqtt_messages RENAME TO mqtt_messages_legacy;
ALTER INDEX mqtt_messages_pkey RENAME TO mqtt_messages_legacy_pkey;
ALTER INDEX mqtt_messages_device_ts RENAME TO mqtt_messages_legacy_device_ts;
ALTER INDEX mqtt_messages_received RENAME TO mqtt_messages_legacy_received;
ALTER INDEX mqtt_messages_org_device_ts RENAME TO mqtt_messages_legacy_org_device_ts;
ALTER INDEX mqtt_messages_org_received RENAME TO mqtt_messages_legacy_org_received;
DROP INDEX mqtt_messages_client_message_id;
REVOKE ALL ON mqtt_messages_legacy FROM mqi_app;

-- The columns of V1, V3 and V6 in their order, the constraints with their names (a partition must have
-- exactly its parent's columns, and its CHECK constraints by name).
CREATE TABLE mqtt_messages (
    message_id         uuid NOT NULL,
    seq                integer NOT NULL DEFAULT 0 CONSTRAINT mqtt_messages_seq_check CHECK (seq >= 0),
    organization_id    uuid,
    integration_id     uuid CONSTRAINT mqtt_messages_integration_id_fkey REFERENCES integrations (id) ON DELETE CASCADE,
    source             text NOT NULL CONSTRAINT mqtt_messages_source_check CHECK (source IN ('http', 'mqtt')),
    topic              text NOT NULL,
    payload            bytea,
    content_type       text,
    device_id          text,
    ts                 timestamptz,
    metrics            jsonb,
    parse_status       text NOT NULL
        CONSTRAINT mqtt_messages_parse_status_check CHECK (parse_status IN ('parsed', 'failed', 'raw')),
    parse_error        text,
    received_at        timestamptz NOT NULL,
    stored_at          timestamptz NOT NULL DEFAULT now(),
    units              jsonb,
    client_message_id  text CONSTRAINT mqtt_messages_client_message_id_check
        CHECK (client_message_id IS NULL OR length(client_message_id) BETWEEN 1 AND 128),
    PRIMARY KEY (message_id, seq, received_at),
    CONSTRAINT mqtt_messages_check CHECK ((seq = 0) = (payload IS NOT NULL))
) PARTITION BY RANGE (received_at);
-- The indexes V9 kept, each needed by a query; every partition gets its own.
CREATE INDEX mqtt_messages_device_ts ON mqtt_messages (integration_id, device_id, ts DESC);
CREATE INDEX mqtt_messages_received ON mqtt_messages (integration_id, received_at DESC);
CREATE INDEX mqtt_messages_org_device_ts ON mqtt_messages (organization_id, device_id, ts DESC);
CREATE INDEX mqtt_messages_org_received ON mqtt_messages (organization_id, received_at DESC) WHERE seq = 0;

GRANT SELECT, INSERT, UPDATE, DELETE ON mqtt_messages TO mqi_app;
ALTER TABLE mqtt_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE mqtt_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mqtt_messages
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

-- The partition of rows whose month has none (yet): never lose a row because its partition is late.
CREATE TABLE mqtt_messages_default PARTITION OF mqtt_messages DEFAULT;
ALTER TABLE mqtt_messages_default ENABLE ROW LEVEL SECURITY;
ALTER TABLE mqtt_messages_default FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mqtt_messages_default
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

-- The partition of the UTC month holding a day, mqtt_messages_pYYYYMM, made if missing; returns its
-- name, or NULL when it was there. Made as a table of its own and then attached, because ATTACH PARTITION locks
-- the parent with SHARE UPDATE EXCLUSIVE (reads and writes go on) where CREATE TABLE ... PARTITION OF
-- takes ACCESS EXCLUSIVE. Rows of that month waiting in the default partition move in first; attaching
-- then scans the default partition (ACCESS EXCLUSIVE on it alone; it is normally empty). The caller
-- runs it as the tables' owner with a lock_timeout and tries again later if it expires. Several
-- nodes may call it for the same month at once.
CREATE FUNCTION mqi_create_message_partition(day date) RETURNS text
LANGUAGE plpgsql SET search_path = ${flyway:defaultSchema} AS
$$
DECLARE
    name text := 'mqtt_messages_p' || to_char(day, 'YYYYMM');
    lo timestamptz := date_trunc('month', day::timestamp) AT TIME ZONE 'UTC';
    hi timestamptz := (date_trunc('month', day::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
BEGIN
    -- Nodes sharing the database make partitions one at a time (a lock of this transaction; the
    -- caller's lock_timeout bounds the wait): the second finds the table made and returns.
    PERFORM pg_advisory_xact_lock(hashtext('mqi_create_message_partition'));
    IF to_regclass(name) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('mqi.operator', 'on', true);
    EXECUTE format('CREATE TABLE %I (LIKE mqtt_messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', name);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', name);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I '
        || 'USING (mqi_is_operator() OR organization_id = mqi_current_org()) '
        || 'WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org())', name);
    EXECUTE format('WITH moved AS (DELETE FROM mqtt_messages_default WHERE received_at >= %L AND received_at < %L '
        || 'RETURNING *) INSERT INTO %I SELECT * FROM moved', lo, hi, name);
    EXECUTE format('ALTER TABLE mqtt_messages ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
    RETURN name;
END
$$;
REVOKE ALL ON FUNCTION mqi_create_message_partition(date) FROM PUBLIC;

DO $$
DECLARE
    today date := (now() AT TIME ZONE 'UTC')::date;
    newest date;
    hi timestamptz;
BEGIN
    IF EXISTS (SELECT 1 FROM mqtt_messages_legacy) THEN
        SELECT (max(received_at) AT TIME ZONE 'UTC')::date INTO newest FROM mqtt_messages_legacy;
        -- up to the end of the month (of today, or of the newest row): months start where it ends
        hi := (date_trunc('month', greatest(today, newest)::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
        -- A partition takes its parent's key, (message_id, seq, received_at), which the attach builds:
        -- a table has one primary key. The old one's uniqueness holds on: received_at is one per message.
        ALTER TABLE mqtt_messages_legacy DROP CONSTRAINT mqtt_messages_legacy_pkey;
        EXECUTE format('ALTER TABLE mqtt_messages ATTACH PARTITION mqtt_messages_legacy FOR VALUES FROM (MINVALUE) TO (%L)', hi);
        PERFORM mqi_create_message_partition((hi AT TIME ZONE 'UTC')::date);
    ELSE
        DROP TABLE mqtt_messages_legacy;
        PERFORM mqi_create_message_partition(today);
        PERFORM mqi_create_message_partition((date_trunc('month', today::timestamp) + interval '1 month')::date);
    END IF;
END
$$;
