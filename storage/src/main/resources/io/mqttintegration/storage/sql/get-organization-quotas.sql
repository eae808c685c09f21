SELECT quota_integrations, quota_subscriptions, quota_credentials, quota_publish_per_second,
       quota_connected_devices, quota_device_messages_per_second
FROM organizations WHERE id = ?
