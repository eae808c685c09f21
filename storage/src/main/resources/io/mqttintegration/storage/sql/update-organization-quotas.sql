-- For each quota: (true, value) sets the override (NULL: back to the default), (false, _) keeps it.
UPDATE organizations SET
    quota_integrations               = CASE WHEN ? THEN ?::integer ELSE quota_integrations END,
    quota_subscriptions              = CASE WHEN ? THEN ?::integer ELSE quota_subscriptions END,
    quota_credentials                = CASE WHEN ? THEN ?::integer ELSE quota_credentials END,
    quota_publish_per_second         = CASE WHEN ? THEN ?::integer ELSE quota_publish_per_second END,
    quota_connected_devices          = CASE WHEN ? THEN ?::integer ELSE quota_connected_devices END,
    quota_device_messages_per_second = CASE WHEN ? THEN ?::integer ELSE quota_device_messages_per_second END
WHERE id = ?
RETURNING quota_integrations, quota_subscriptions, quota_credentials, quota_publish_per_second,
       quota_connected_devices, quota_device_messages_per_second
