-- Telemetry queries always name the organization and usually a device: the last readings of one
-- device are an index scan whether or not the query names the integration.
CREATE INDEX mqtt_messages_org_device_ts ON mqtt_messages (organization_id, device_id, ts DESC);
-- Raw message listings: the first row of each message, newest first.
CREATE INDEX mqtt_messages_org_received ON mqtt_messages (organization_id, received_at DESC) WHERE seq = 0;
