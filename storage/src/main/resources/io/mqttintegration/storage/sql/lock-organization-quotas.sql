-- The organization's quota overrides, its row locked until the transaction ends: two creates that
-- count against one quota take turns, so both cannot pass the last free slot.
SELECT quota_integrations, quota_subscriptions, quota_credentials, quota_publish_per_second,
       quota_connected_devices, quota_device_messages_per_second
FROM organizations WHERE id = ? FOR NO KEY UPDATE
