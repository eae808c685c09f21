SELECT id, organization_id, integration_id, password_hash, revoked FROM mqi_device_credential(?)
