-- Each node's view of the subscriptions it runs (issue 31: "the subscription's live state on every
-- node"). With a sharedGroup every node holds a session of its own; without one, one node does. The
-- API shows every node's row beside the answering node's own view. Each node writes all of its rows
-- in one statement per reconciliation round (mqtt.subscription.syncSeconds) and, in the same
-- statement, removes its rows of the subscriptions it no longer runs; the counters are those of the
-- node's process since the subscription last (re)started there. A row goes with its subscription
-- (unsubscribe, integration deleted). A row whose node's heartbeat (service_nodes) is older than
-- presence.nodeTimeoutSeconds, or whose node stopped, is shown as stale, not as live.
CREATE TABLE subscription_nodes (
    integration_id   uuid NOT NULL REFERENCES subscriptions (integration_id) ON DELETE CASCADE,
    node             text NOT NULL,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    state            text NOT NULL CHECK (state IN ('connecting', 'connected', 'reconnecting', 'stopped', 'error')),
    connected_since  timestamptz,
    last_error       text,
    last_error_at    timestamptz,
    received         bigint NOT NULL DEFAULT 0,
    stored           bigint NOT NULL DEFAULT 0,
    failed           bigint NOT NULL DEFAULT 0,
    reconnects       integer NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, node)
);
CREATE INDEX subscription_nodes_node ON subscription_nodes (node);

GRANT SELECT, INSERT, UPDATE, DELETE ON subscription_nodes TO mqi_app;

ALTER TABLE subscription_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscription_nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subscription_nodes
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());
