-- One batch of dead letters older than their retention (index dead_letters_created).
DELETE FROM dead_letters WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM dead_letters WHERE created_at < ? LIMIT ?))
