-- The sink, its outbox and its dead letters (no foreign keys: see V16__sinks.sql).
WITH gone AS (DELETE FROM sinks WHERE organization_id = ? AND id = ? RETURNING id),
     outbox AS (DELETE FROM sink_outbox WHERE sink_id IN (SELECT id FROM gone)),
     dead AS (DELETE FROM sink_dead_letters WHERE sink_id IN (SELECT id FROM gone))
SELECT count(*) FROM gone
