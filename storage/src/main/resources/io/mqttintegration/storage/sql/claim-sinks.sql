-- The sinks this node delivers: those it holds (lease renewed) and those no live node holds, up to a
-- number per node; paused ones are let go. One node at a time per sink keeps its order.
WITH mine AS (
    SELECT id FROM sinks
    WHERE NOT paused AND (lease_node = ? OR lease_until IS NULL OR lease_until < now())
    ORDER BY (lease_node = ?) DESC NULLS LAST, id
    LIMIT ?
    FOR UPDATE SKIP LOCKED
)
UPDATE sinks s SET lease_node = ?, lease_until = now() + make_interval(secs => ?)
FROM mine WHERE s.id = mine.id
RETURNING s.id, s.organization_id, s.integration_id, s.name, s.kind, s.settings::text, s.secrets, s.topic_filter,
          s.device_id, s.body, s.include, s.paused, s.max_attempts, s.created_at, s.updated_at
