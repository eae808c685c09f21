DELETE FROM sink_outbox WHERE sink_id = ? AND seq = ANY (?)
