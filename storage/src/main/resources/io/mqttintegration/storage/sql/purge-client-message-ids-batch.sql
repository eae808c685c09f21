-- One batch of one organization's client message ids older than its retention (their messages are gone).
DELETE FROM mqtt_client_message_ids WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM mqtt_client_message_ids WHERE {organization} AND received_at < ? LIMIT ?))
