UPDATE sink_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ?), last_error = ?
WHERE sink_id = ? AND seq = ?
