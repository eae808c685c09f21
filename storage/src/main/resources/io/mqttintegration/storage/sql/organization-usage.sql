-- What counts against an organization's quotas: its integrations, its live subscriptions (stored,
-- of an enabled integration; the one being subscribed again is left out: it takes no new slot) and
-- its device credentials that are not revoked.
SELECT
    (SELECT count(*) FROM integrations WHERE organization_id = ?),
    (SELECT count(*) FROM subscriptions s JOIN integrations i ON i.id = s.integration_id
     WHERE s.organization_id = ? AND i.enabled AND s.integration_id IS DISTINCT FROM ?),
    (SELECT count(*) FROM mqtt_credentials WHERE organization_id = ? AND revoked_at IS NULL)
