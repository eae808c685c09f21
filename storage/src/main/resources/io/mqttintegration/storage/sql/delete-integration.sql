DELETE FROM integrations WHERE organization_id = ? AND id = ?
