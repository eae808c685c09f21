SELECT id, organization_id, integration_id, scopes, key_hash FROM mqi_live_api_key(?)
