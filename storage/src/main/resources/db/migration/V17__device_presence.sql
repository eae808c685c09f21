-- Device presence (issue 30): who is online, since when, last seen, for every device of an
-- integration whatever its path (hosted broker, HTTP, a subscription), with a bounded history of its
-- transitions, and the service nodes that hold hosted connections (docs/devices.md).

-- The service's nodes sharing this database, each beating its heartbeat while it runs. A node whose
-- heartbeat is older than presence.nodeTimeoutSeconds is taken for lost (kill -9, a crash, a cut
-- network): its hosted devices go offline with reason node_lost. Operator-only.
CREATE TABLE service_nodes (
    node_id       text PRIMARY KEY,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz
);

-- One row per device of an integration: its state, since when, its last stored message, and, while a
-- hosted connection holds it, the node and the connection (so that a late disconnect of an older
-- connection never ends a newer one). id is the device's id in the API (/api/v1/devices/{id}).
CREATE TABLE device_presence (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id  uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    device_id       text NOT NULL,
    state           text NOT NULL CHECK (state IN ('online', 'offline')),
    since           timestamptz NOT NULL,
    reason          text NOT NULL,
    last_seen       timestamptz,
    last_source     text CHECK (last_source IN ('http', 'mqtt', 'hosted')),
    node            text,
    connection_id   text,
    client_id       text,
    remote_address  text,
    UNIQUE (integration_id, device_id)
);
CREATE INDEX device_presence_organization ON device_presence (organization_id, state, integration_id, device_id);
CREATE INDEX device_presence_node ON device_presence (node) WHERE node IS NOT NULL;

-- Each change of a device's state (and each new hosted connection), newest kept: the history is
-- bounded per device (presence.historyPerDevice).
CREATE TABLE device_transitions (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id  uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    device_id       text NOT NULL,
    state           text NOT NULL CHECK (state IN ('online', 'offline')),
    reason          text NOT NULL,
    node            text,
    at              timestamptz NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX device_transitions_device ON device_transitions (integration_id, device_id, at DESC);

-- Sinks forward data (stored messages), events (presence transitions) or both. An event's outbox row
-- and dead letter carry the event itself (JSON): message_id is then the transition's id, and the
-- event is delivered as written whatever happened to the history since.
ALTER TABLE sinks ADD COLUMN include text NOT NULL DEFAULT 'data' CHECK (include IN ('data', 'events', 'both'));
ALTER TABLE sink_outbox ADD COLUMN event jsonb;
ALTER TABLE sink_dead_letters ADD COLUMN event jsonb;

GRANT SELECT, INSERT, UPDATE, DELETE ON service_nodes, device_presence, device_transitions TO mqi_app;

ALTER TABLE service_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE service_nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY operator_only ON service_nodes
    USING (mqi_is_operator())
    WITH CHECK (mqi_is_operator());

ALTER TABLE device_presence ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_presence FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON device_presence
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

ALTER TABLE device_transitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_transitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON device_transitions
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());
