UPDATE sinks SET lease_node = NULL, lease_until = NULL WHERE lease_node = ? AND NOT (id = ANY (?))
