-- Web console sessions (issue 31): an API key (or the operator key) exchanged for a short-lived
-- cookie. Kept here, not in one node's memory, so that a session works behind a load balancer and
-- sign-out ends it on every node. Only the token's SHA-256 is stored: a copy of this table signs
-- nobody in. A session made from an API key lives only while that key does: its row goes with the
-- key's (ON DELETE CASCADE) and authentication reads the key's revocation with the session.
CREATE TABLE console_sessions (
    id              uuid PRIMARY KEY,
    token_hash      bytea NOT NULL UNIQUE,
    csrf_token      text NOT NULL,
    operator        boolean NOT NULL,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    key_id          uuid REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    CHECK (operator OR (organization_id IS NOT NULL AND key_id IS NOT NULL))
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON console_sessions TO mqi_app;

-- Sessions are found by their token before any organization is known, like API keys by their
-- prefix: the service reads and writes them as the operator only.
ALTER TABLE console_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE console_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY operator_only ON console_sessions
    USING (mqi_is_operator())
    WITH CHECK (mqi_is_operator());
