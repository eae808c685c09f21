SELECT retention_days FROM organizations WHERE id = ?
