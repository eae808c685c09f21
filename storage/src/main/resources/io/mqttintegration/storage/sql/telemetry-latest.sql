-- The newest reading of every device of the organization (of one integration, when given): the devices
-- come from the device catalog (V13; the primary key's index, one entry per device), then each
-- device's first entry of the (integration_id | organization_id, device_id, ts DESC) index. A device
-- in the catalog without a reading left (all expired) has no such entry and is not in the answer.
-- (The loose index scan over mqtt_messages this replaces walked every monthly partition per device.)
SELECT l.device_id, l.ts, l.metrics::text, l.units::text, l.topic, l.integration_id, l.message_id, l.seq
FROM (SELECT DISTINCT c.device_id
      FROM mqtt_device_catalog c
      WHERE c.organization_id = ? AND (?::uuid IS NULL OR c.integration_id = ?::uuid)) d
CROSS JOIN LATERAL (
    SELECT m.device_id, m.ts, m.metrics, m.units, m.topic, m.integration_id, m.message_id, m.seq
    FROM mqtt_messages m
    WHERE m.organization_id = ? AND m.device_id = d.device_id
      AND (?::uuid IS NULL OR m.integration_id = ?::uuid)
    ORDER BY m.ts DESC
    LIMIT 1
) l
ORDER BY l.device_id
LIMIT 10000
