-- Per-organization quotas: how many integrations, live subscriptions and device credentials an
-- organization may have, and how many messages per second each of its integrations may publish.
-- NULL takes the node's default (etc/mqtt.integration.quotas.cfg); a value is the operator's
-- override for this one organization, higher or lower. They live on the organizations row, whose
-- policy (V2) already lets an organization read its own row and only the operator write it.
ALTER TABLE organizations
    ADD COLUMN quota_integrations       integer CHECK (quota_integrations >= 0),
    ADD COLUMN quota_subscriptions      integer CHECK (quota_subscriptions >= 0),
    ADD COLUMN quota_credentials        integer CHECK (quota_credentials >= 0),
    ADD COLUMN quota_publish_per_second integer CHECK (quota_publish_per_second >= 0);
