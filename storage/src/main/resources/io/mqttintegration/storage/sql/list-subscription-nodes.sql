-- Every node's row of one subscription, within the caller's organization, by node; the last column
-- says whether the row itself is older than the node timeout (the caller's fallback when its node
-- beats no heartbeat).
SELECT node, state, connected_since, last_error, last_error_at, received, stored, failed, reconnects, updated_at,
    updated_at < now() - ?::integer * interval '1 second'
FROM subscription_nodes
WHERE organization_id = ? AND integration_id = ?
ORDER BY node
