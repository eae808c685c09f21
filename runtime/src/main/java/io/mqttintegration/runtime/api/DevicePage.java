package io.mqttintegration.runtime.api;

import java.util.List;

/** A page of {@code GET /api/v1/devices}, for the OpenAPI document: next is the cursor of the next page, null on the last. */
public record DevicePage(List<DeviceView> items, String next) {
}
