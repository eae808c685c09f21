INSERT INTO organizations (id, name) VALUES (?, ?) RETURNING id, name, created_at
