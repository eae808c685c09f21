package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.storage.presence.DeviceStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * The opaque {@code cursor} of {@code GET /api/v1/devices}: the last device of the page by its unique
 * key, integration id and device id, as URL-safe Base64 of {@code integrationId|deviceId} (the device id
 * is last, so a {@code |} in it is kept). A cursor this API did not give out is a 400 naming
 * {@code cursor}, never a 500 or a page from somewhere else.
 */
final class DeviceCursors {

    private DeviceCursors() {
    }

    /** The cursor after this device. */
    static String after(DeviceStore.Device last) {
        String cursor = last.integrationId() + "|" + last.deviceId();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
    }

    /** Where a cursor points after; null for none (the first page). */
    static DeviceStore.After parse(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            if (parts.length != 2 || parts[1].isEmpty() || parts[1].indexOf('\u0000') >= 0) {
                throw new IllegalArgumentException(cursor);
            }
            return new DeviceStore.After(UUID.fromString(parts[0]), parts[1]);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid_parameter", "cursor is not one this API gave out", "cursor");
        }
    }
}
