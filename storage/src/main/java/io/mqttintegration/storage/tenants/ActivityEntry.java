package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One activity log row: who (a key id, or "operator"), what, outcome, detail (JSON text), when. */
public record ActivityEntry(long id, UUID integrationId, String actor, String action, String outcome, String detailJson,
        OffsetDateTime createdAt) {
}
