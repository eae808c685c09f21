-- Of the named nodes, those that beat a heartbeat: whether each is live (not stopped, heartbeat
-- within the node timeout).
SELECT node_id, stopped_at IS NULL AND heartbeat_at >= now() - ?::integer * interval '1 second'
FROM service_nodes
WHERE node_id = ANY (?)
