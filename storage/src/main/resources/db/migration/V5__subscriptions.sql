-- Persistent MQTT subscriptions: what each integration should be subscribed to. One row per
-- integration; the service re-creates a subscription for every row whose integration is enabled
-- when it starts. Deleting the integration deletes the row (and the service closes the session).
CREATE TABLE subscriptions (
    integration_id   uuid PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    topics           text[] NOT NULL CHECK (cardinality(topics) BETWEEN 1 AND 100),
    qos              smallint NOT NULL CHECK (qos IN (0, 1)),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_org ON subscriptions (organization_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON subscriptions TO mqi_app;

ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subscriptions
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());
