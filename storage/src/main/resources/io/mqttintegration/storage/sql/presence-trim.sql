-- Keeps the newest transitions of each device named (the ones that had transitions since the last
-- trim): deletes, per device, every row at or older than the first one beyond the bound (OFFSET ?),
-- read through the index device_transitions_device.
DELETE FROM device_transitions t
USING unnest(?::uuid[], ?::text[]) AS k (integration_id, device_id),
     LATERAL (SELECT x.at, x.id FROM device_transitions x
              WHERE x.integration_id = k.integration_id AND x.device_id = k.device_id
              ORDER BY x.at DESC, x.id DESC OFFSET ? LIMIT 1) AS cut
WHERE t.integration_id = k.integration_id AND t.device_id = k.device_id AND (t.at, t.id) <= (cut.at, cut.id)
