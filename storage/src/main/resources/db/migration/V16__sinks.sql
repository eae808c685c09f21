-- Sinks: what each integration stores is forwarded to a webhook, an MQTT broker or a Kafka topic (a
-- route template per kind, routes/sink-*.camel.yaml), at least once from the commit.
--
-- A sink of an integration. kind names its template (sink-<kind>); settings are the template's
-- parameters; secrets holds its secret ones, sealed like a broker's. topic_pattern is topic_filter as an anchored POSIX
-- regular expression, which the commit's INSERT matches. A paused sink keeps its backlog: delivery
-- stops, the outbox keeps filling (up to the backlog bound). lease_node and lease_until say which
-- node delivers it (one node at a time, so that a sink's messages go out in order).
CREATE TABLE sinks (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id  uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]{0,39}$'),
    settings        jsonb NOT NULL DEFAULT '{}',
    secrets         bytea,
    topic_filter    text NOT NULL DEFAULT '#',
    topic_pattern   text NOT NULL DEFAULT '^.*$',
    device_id       text,
    body            text NOT NULL DEFAULT 'raw' CHECK (body IN ('raw', 'readings', 'cloudevents')),
    paused          boolean NOT NULL DEFAULT false,
    max_attempts    integer NOT NULL DEFAULT 10 CHECK (max_attempts BETWEEN 1 AND 1000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    lease_node      text,
    lease_until     timestamptz,
    UNIQUE (integration_id, name)
);
CREATE INDEX sinks_integration ON sinks (integration_id);

-- The outbox: one row per message and sink, inserted by the statement that stores the message (same
-- transaction), deleted once the sink's receiver took it. seq orders a sink's messages (assigned at
-- insert, in the order of each batch). No foreign key to sinks: every concurrent writer would lock
-- the sink's row (a multixact per commit); a sink's rows are deleted with it (SinkStore.delete).
-- next_attempt_at is set once a delivery failed: the row waits, and so do the later rows of its device.
CREATE TABLE sink_outbox (
    sink_id         uuid NOT NULL,
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    organization_id uuid NOT NULL,
    message_id      uuid NOT NULL,
    received_at     timestamptz NOT NULL,
    device_id       text,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    PRIMARY KEY (sink_id, seq)
);
CREATE INDEX sink_outbox_waiting ON sink_outbox (sink_id, next_attempt_at) WHERE next_attempt_at IS NOT NULL;

-- What a sink's receiver did not take after max_attempts (or what went over the backlog bound):
-- listed and replayed through the API.
CREATE TABLE sink_dead_letters (
    id              uuid PRIMARY KEY,
    sink_id         uuid NOT NULL,
    organization_id uuid NOT NULL,
    message_id      uuid NOT NULL,
    received_at     timestamptz NOT NULL,
    device_id       text,
    attempts        integer NOT NULL,
    reason          text NOT NULL,
    failed_at       timestamptz NOT NULL DEFAULT now(),
    replayed_at     timestamptz
);
CREATE INDEX sink_dead_letters_sink ON sink_dead_letters (sink_id, failed_at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON sinks, sink_outbox, sink_dead_letters TO mqi_app;

ALTER TABLE sinks ENABLE ROW LEVEL SECURITY;
ALTER TABLE sinks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sinks
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

ALTER TABLE sink_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE sink_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sink_outbox
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

ALTER TABLE sink_dead_letters ENABLE ROW LEVEL SECURITY;
ALTER TABLE sink_dead_letters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sink_dead_letters
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());
