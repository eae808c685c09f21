UPDATE dead_letters SET replayed_at = now() WHERE id = ? AND replayed_at IS NULL
