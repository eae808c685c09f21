-- Tenant isolation in the database, a second wall behind the service's own organization filters.
--
-- The service does its work as the role mqi_app: not the tables' owner, no BYPASSRLS. Every
-- transaction starts with SET LOCAL ROLE mqi_app and names its organization with
-- set_config('mqi.org_id', <uuid>, true), or marks itself as the operator's with
-- set_config('mqi.operator', 'on', true). FORCE ROW LEVEL SECURITY holds the owner to the policies too.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mqi_app') THEN
        CREATE ROLE mqi_app NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, 'mqi_app', 'MEMBER') THEN
        EXECUTE format('GRANT mqi_app TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO mqi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON organizations, integrations, api_keys, mqtt_credentials, mqtt_messages,
    activity_log, dead_letters TO mqi_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${flyway:defaultSchema} TO mqi_app;

CREATE FUNCTION mqi_current_org() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('mqi.org_id', true), '')::uuid $$;

CREATE FUNCTION mqi_is_operator() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('mqi.operator', true), '') = 'on' $$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations
    USING (mqi_is_operator() OR id = mqi_current_org())
    WITH CHECK (mqi_is_operator());

ALTER TABLE integrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE integrations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integrations
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

ALTER TABLE mqtt_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE mqtt_credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mqtt_credentials
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

ALTER TABLE mqtt_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE mqtt_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mqtt_messages
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

ALTER TABLE activity_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE activity_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON activity_log
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

ALTER TABLE dead_letters ENABLE ROW LEVEL SECURITY;
ALTER TABLE dead_letters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dead_letters
    USING (mqi_is_operator() OR organization_id = mqi_current_org())
    WITH CHECK (mqi_is_operator() OR organization_id = mqi_current_org());

-- Who did it: the key's id, or 'operator'.
ALTER TABLE activity_log ADD COLUMN actor text NOT NULL DEFAULT 'operator';
CREATE INDEX api_keys_org ON api_keys (organization_id, created_at DESC);
CREATE INDEX mqtt_credentials_integration ON mqtt_credentials (integration_id, created_at DESC);

-- Authentication's lookup of a live key by its prefix, in one round trip and before any
-- organization is known: it sees all organizations' keys for the length of this one query only.
CREATE FUNCTION mqi_live_api_key(key_prefix text)
RETURNS TABLE (id uuid, organization_id uuid, integration_id uuid, scopes text[], key_hash bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = ${flyway:defaultSchema} AS
$$
BEGIN
    PERFORM set_config('mqi.operator', 'on', true);
    RETURN QUERY SELECT k.id, k.organization_id, k.integration_id, k.scopes, k.key_hash
                 FROM api_keys k WHERE k.prefix = key_prefix AND k.revoked_at IS NULL;
    PERFORM set_config('mqi.operator', 'off', true);
END
$$;
REVOKE ALL ON FUNCTION mqi_live_api_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mqi_live_api_key(text) TO mqi_app;
