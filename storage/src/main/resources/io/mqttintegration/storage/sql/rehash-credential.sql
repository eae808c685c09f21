UPDATE mqtt_credentials SET password_hash = ?
WHERE organization_id = ? AND id = ? AND password_hash = ?
