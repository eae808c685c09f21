-- Devices online per organization (the gauge mqi_devices_online), for every organization with a
-- device known to presence: 0 once its last one went offline; gone with the organization. An
-- index-only scan of device_presence_organization where the visibility map allows.
SELECT organization_id, count(*) FILTER (WHERE state = 'online')
FROM device_presence
GROUP BY organization_id
