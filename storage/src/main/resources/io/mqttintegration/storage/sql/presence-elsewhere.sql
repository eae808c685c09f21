-- Per organization, the devices online on the other live nodes' brokers (heartbeat within the node
-- timeout, not stopped): with this node's own, what an organization's cap of connected devices is
-- held to. Read by the sweep, not per CONNECT.
SELECT p.organization_id, count(*)
FROM device_presence p JOIN service_nodes n ON n.node_id = p.node
WHERE p.node IS NOT NULL AND p.node <> ? AND p.state = 'online'
  AND n.stopped_at IS NULL AND n.heartbeat_at >= now() - ?::integer * interval '1 second'
GROUP BY p.organization_id
