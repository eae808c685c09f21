-- One node's subscriptions as it runs them now, all in one statement (a reconciliation round): its
-- row of each is written (the organization is the subscription's own), and its rows of the
-- subscriptions it no longer runs are removed. A subscription removed meanwhile is skipped.
-- Parameters: one array per column (timestamps as ISO-8601 text), then the node twice.
WITH given AS (
    SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::integer[])
        AS g (integration_id, state, connected_since, last_error, last_error_at, received, stored, failed, reconnects)
), gone AS (
    DELETE FROM subscription_nodes n
    WHERE n.node = ? AND NOT EXISTS (SELECT 1 FROM given g WHERE g.integration_id = n.integration_id)
)
INSERT INTO subscription_nodes AS n (integration_id, node, organization_id, state, connected_since, last_error, last_error_at,
    received, stored, failed, reconnects, updated_at)
SELECT g.integration_id, ?, s.organization_id, g.state, g.connected_since::timestamptz, g.last_error, g.last_error_at::timestamptz,
    g.received, g.stored, g.failed, g.reconnects, now()
FROM given g JOIN subscriptions s ON s.integration_id = g.integration_id
ON CONFLICT (integration_id, node) DO UPDATE
SET state = EXCLUDED.state, connected_since = EXCLUDED.connected_since, last_error = EXCLUDED.last_error,
    last_error_at = EXCLUDED.last_error_at, received = EXCLUDED.received, stored = EXCLUDED.stored, failed = EXCLUDED.failed,
    reconnects = EXCLUDED.reconnects, updated_at = EXCLUDED.updated_at
