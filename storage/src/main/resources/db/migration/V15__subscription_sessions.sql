-- What each subscription's broker session was last subscribed to: the filters (as subscribed, with a
-- $share/<group>/ prefix in a shared group) and the QoS of the last SUBSCRIBE the broker granted in
-- full, per client id (a shared group has a session per node). When a connect finds its session
-- present (CONNACK Session Present) with these same filters, the service does not subscribe again:
-- the session kept its subscriptions (MQTT 5, 4.1), and a SUBSCRIBE on every reconnect cost more
-- than a round trip. A stock ActiveMQ Artemis 2.40 under load fails it (its session state is not
-- stored within 5 s) and disconnects the client with reason code 0x83, which then receives its
-- unacknowledged messages again under new packet ids; and every SUBSCRIBE with Retain Handling 0
-- brings the retained messages again. Operator-only: the subscriptions' supervisors read and write it.
CREATE TABLE subscription_sessions (
    integration_id  uuid NOT NULL REFERENCES subscriptions (integration_id) ON DELETE CASCADE,
    client_id       text NOT NULL,
    filters         text[] NOT NULL,
    qos             smallint NOT NULL CHECK (qos IN (0, 1)),
    subscribed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, client_id)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON subscription_sessions TO mqi_app;

ALTER TABLE subscription_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscription_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY operator_only ON subscription_sessions
    USING (mqi_is_operator())
    WITH CHECK (mqi_is_operator());
