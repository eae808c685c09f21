-- A clean stop of this node.
UPDATE service_nodes SET stopped_at = now(), heartbeat_at = now() WHERE node_id = ?
