-- The organizations with rows in one partition (named by the caller, quoted): a walk over the
-- partition's (organization_id, received_at) WHERE seq = 0 index one organization at a time, two index
-- probes each however many rows it has; then one row with NULL if rows without an organization exist.
WITH RECURSIVE o AS (
    (SELECT organization_id FROM {partition} WHERE seq = 0 AND organization_id IS NOT NULL
     ORDER BY organization_id LIMIT 1)
    UNION ALL
    SELECT (SELECT m.organization_id FROM {partition} m WHERE m.seq = 0 AND m.organization_id > o.organization_id
            ORDER BY m.organization_id LIMIT 1)
    FROM o WHERE o.organization_id IS NOT NULL
)
SELECT organization_id FROM o WHERE organization_id IS NOT NULL
UNION ALL
SELECT NULL WHERE EXISTS (SELECT 1 FROM {partition} WHERE seq = 0 AND organization_id IS NULL)
