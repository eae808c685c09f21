SELECT id, retention_days FROM organizations
