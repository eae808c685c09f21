-- The partitions of mqtt_messages with their bounds (NULL: MINVALUE, or the default partition) and
-- PostgreSQL's own estimates: rows from pg_class.reltuples (kept by ANALYZE/autovacuum; -1, shown as
-- 0, before the first), bytes of the heap, its indexes and TOAST. Catalog reads only: no table scan.
SELECT c.relname,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz AS lo,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz AS hi,
       pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default,
       greatest(c.reltuples, 0)::bigint AS rows,
       pg_total_relation_size(c.oid) AS bytes
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'mqtt_messages'::regclass
ORDER BY is_default, hi NULLS FIRST
