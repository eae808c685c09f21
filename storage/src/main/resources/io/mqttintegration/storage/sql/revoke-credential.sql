UPDATE mqtt_credentials SET revoked_at = now()
WHERE organization_id = ? AND integration_id = ? AND id = ? AND revoked_at IS NULL
