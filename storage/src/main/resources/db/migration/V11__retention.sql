-- Retention (issue 17; docs/operations.md "Storage and retention"). An organization's own retention of
-- its messages in days: NULL takes the node's default (retention.days in etc/mqtt.integration.ingest.cfg),
-- 0 keeps them forever, n keeps n days. On the organizations row, like the quotas (V8): the
-- organization reads it, only the operator sets it (V2's policy).
ALTER TABLE organizations ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 0 AND 36500);

-- The activity log's retention deletes by age; its only index starts with the integration.
CREATE INDEX activity_log_created ON activity_log (created_at);
