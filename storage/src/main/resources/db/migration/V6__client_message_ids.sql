-- A sender's own id for a message (POST /api/v1/ingest "messageId"): a message sent again with the
-- same id for the same integration (a retry after a lost answer, a gateway replaying its buffer) is
-- accepted and not stored twice. Unique per reading row (seq), so every row of a repeated message
-- is skipped; the writer inserts with ON CONFLICT DO NOTHING on this index.
ALTER TABLE mqtt_messages ADD COLUMN client_message_id text
    CHECK (client_message_id IS NULL OR length(client_message_id) BETWEEN 1 AND 128);
CREATE UNIQUE INDEX mqtt_messages_client_message_id
    ON mqtt_messages (organization_id, integration_id, client_message_id, seq)
    WHERE client_message_id IS NOT NULL;
