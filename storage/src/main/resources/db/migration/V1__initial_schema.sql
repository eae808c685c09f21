-- The schema for the whole product. Later issues add columns; they never edit this file.

CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE integrations (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    type             text NOT NULL DEFAULT 'mqtt' CHECK (type IN ('mqtt')),
    -- Non-secret settings (host, port, protocol, topics, parser ...).
    settings         jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- AES-GCM ciphertext of the broker password and TLS client key; never plaintext.
    secrets          bytea,
    enabled          boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integrations_org_created ON integrations (organization_id, created_at DESC);

CREATE TABLE api_keys (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id   uuid REFERENCES integrations (id) ON DELETE CASCADE,
    name             text NOT NULL,
    -- Short public prefix to find the row; the key itself is kept only as a keyed hash.
    prefix           text NOT NULL UNIQUE,
    key_hash         bytea NOT NULL,
    scopes           text[] NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    revoked_at       timestamptz
);

CREATE TABLE mqtt_credentials (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id   uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    username         text NOT NULL UNIQUE,
    password_hash    text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz
);

-- One row per reading. A message that gives one reading (the common case) is one row; a message
-- that gives n readings (an array, a SenML pack) is n rows sharing message_id, and only the row
-- with seq 0 carries the raw payload. A message that gives none, or failed to parse, is one row
-- without device, time or metrics. The raw payload is bytea: stored byte-exact, NUL included.
CREATE TABLE mqtt_messages (
    message_id       uuid NOT NULL,
    seq              integer NOT NULL DEFAULT 0 CHECK (seq >= 0),
    organization_id  uuid REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id   uuid REFERENCES integrations (id) ON DELETE CASCADE,
    source           text NOT NULL CHECK (source IN ('http', 'mqtt')),
    topic            text NOT NULL,
    payload          bytea,
    content_type     text,
    device_id        text,
    ts               timestamptz,
    metrics          jsonb,
    parse_status     text NOT NULL CHECK (parse_status IN ('parsed', 'failed', 'raw')),
    parse_error      text,
    received_at      timestamptz NOT NULL,
    stored_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, seq),
    CHECK ((seq = 0) = (payload IS NOT NULL))
);
CREATE INDEX mqtt_messages_device_ts ON mqtt_messages (integration_id, device_id, ts DESC);
CREATE INDEX mqtt_messages_received ON mqtt_messages (integration_id, received_at DESC);

CREATE TABLE activity_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id   uuid,
    actor_key_id     uuid,
    action           text NOT NULL,
    outcome          text NOT NULL CHECK (outcome IN ('ok', 'error')),
    detail           jsonb,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_log_integration ON activity_log (integration_id, created_at DESC);

-- Messages no route could store or process, kept with the reason so they can be replayed.
CREATE TABLE dead_letters (
    id               uuid PRIMARY KEY,
    message_id       uuid,
    organization_id  uuid,
    integration_id   uuid,
    source           text,
    topic            text,
    payload          bytea,
    reason           text NOT NULL,
    route_id         text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    replayed_at      timestamptz
);
CREATE INDEX dead_letters_created ON dead_letters (created_at DESC);
