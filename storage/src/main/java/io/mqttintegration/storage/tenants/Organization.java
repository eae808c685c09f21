package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;
import java.util.UUID;

public record Organization(UUID id, String name, OffsetDateTime createdAt) {
}
