-- Hosted MQTT broker (issue 16): devices connect with the credentials of mqtt_credentials.

-- Messages a device published to the hosted broker are stored with source 'hosted'.
ALTER TABLE mqtt_messages DROP CONSTRAINT mqtt_messages_source_check;
ALTER TABLE mqtt_messages ADD CONSTRAINT mqtt_messages_source_check CHECK (source IN ('http', 'mqtt', 'hosted'));

-- The broker's lookup of a device's credential by its username at CONNECT, before any organization
-- is known: it sees all organizations' credentials for the length of this one query only (as
-- mqi_live_api_key does for API keys). Revoked credentials are returned too (revoked = true): the
-- broker refuses them, and still files the messages a device sent before its revocation.
CREATE FUNCTION mqi_device_credential(device_username text)
RETURNS TABLE (id uuid, organization_id uuid, integration_id uuid, password_hash text, revoked boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = ${flyway:defaultSchema} AS
$$
BEGIN
    PERFORM set_config('mqi.operator', 'on', true);
    RETURN QUERY SELECT c.id, c.organization_id, c.integration_id, c.password_hash, c.revoked_at IS NOT NULL
                 FROM mqtt_credentials c WHERE c.username = device_username;
    PERFORM set_config('mqi.operator', 'off', true);
END
$$;
REVOKE ALL ON FUNCTION mqi_device_credential(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mqi_device_credential(text) TO mqi_app;

-- Which of the connected devices' usernames are revoked: the broker closes their sessions.
CREATE FUNCTION mqi_revoked_device_usernames(device_usernames text[])
RETURNS TABLE (username text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = ${flyway:defaultSchema} AS
$$
BEGIN
    PERFORM set_config('mqi.operator', 'on', true);
    RETURN QUERY SELECT c.username FROM mqtt_credentials c
                 WHERE c.username = ANY (device_usernames) AND c.revoked_at IS NOT NULL;
    PERFORM set_config('mqi.operator', 'off', true);
END
$$;
REVOKE ALL ON FUNCTION mqi_revoked_device_usernames(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mqi_revoked_device_usernames(text[]) TO mqi_app;
