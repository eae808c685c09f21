-- One batch of one organization's expired messages in one partition (named by the caller): at most
-- ? messages (their seq 0 rows found by the organization's index), then every row of those messages
-- by the primary key. Answers how many messages were found and how many rows went.
WITH doomed AS (
    SELECT message_id, received_at FROM {partition}
    WHERE {organization} AND seq = 0 AND received_at < ?
    LIMIT ?
), gone AS (
    DELETE FROM {partition} m USING doomed d
    WHERE m.message_id = d.message_id AND m.received_at = d.received_at
    RETURNING 1
)
SELECT (SELECT count(*) FROM doomed), (SELECT count(*) FROM gone)
