DELETE FROM console_sessions WHERE id = ?
