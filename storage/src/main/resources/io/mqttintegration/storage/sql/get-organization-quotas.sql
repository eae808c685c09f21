SELECT quota_integrations, quota_subscriptions, quota_credentials, quota_publish_per_second
FROM organizations WHERE id = ?
