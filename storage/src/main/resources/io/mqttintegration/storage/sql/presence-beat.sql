-- This node's heartbeat (at start, with ? = true, also its start time); a beat clears stopped_at.
INSERT INTO service_nodes (node_id, started_at, heartbeat_at, stopped_at)
VALUES (?, now(), now(), NULL)
ON CONFLICT (node_id) DO UPDATE
SET heartbeat_at = now(), stopped_at = NULL,
    started_at = CASE WHEN ? THEN now() ELSE service_nodes.started_at END
