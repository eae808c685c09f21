package io.mqttintegration.parsers;

import java.time.Instant;
import java.util.List;

/** The {@code raw} parser: keeps the payload as it is, with no readings (any bytes, never fails). */
public final class RawParser implements PayloadParser {

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public boolean readsPayloads() {
        return false;
    }

    @Override
    public List<Reading> parse(String topic, byte[] payload, String contentType, Instant receivedAt) {
        return List.of();
    }
}
