-- Hosted broker limits (issue 16), two more per-organization quotas beside those of V8: how many
-- devices of the organization may be connected to the hosted broker at once, and how many messages
-- per second each connected device may publish (a token bucket per device connection). NULL takes
-- the node's default (etc/mqtt.integration.quotas.cfg); a value is the operator's override.
ALTER TABLE organizations
    ADD COLUMN quota_connected_devices          integer CHECK (quota_connected_devices >= 0),
    ADD COLUMN quota_device_messages_per_second integer CHECK (quota_device_messages_per_second >= 0);
