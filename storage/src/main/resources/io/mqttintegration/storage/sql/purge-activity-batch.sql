-- One batch of activity log entries older than their retention (index activity_log_created).
DELETE FROM activity_log WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM activity_log WHERE created_at < ? LIMIT ?))
