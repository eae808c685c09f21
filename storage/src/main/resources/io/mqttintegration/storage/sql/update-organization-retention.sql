-- The organization's own retention in days (NULL: back to the node's default; 0: forever).
UPDATE organizations SET retention_days = ?::integer WHERE id = ? RETURNING retention_days
