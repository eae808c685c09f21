package io.mqttintegration.parsers;

import java.time.Instant;
import java.util.List;

/**
 * Turns one received message into zero or more readings. Implementations are stateless and
 * thread-safe; they throw {@link PayloadParseException} for a payload they cannot read, and the
 * caller stores that message raw with the error.
 */
public interface PayloadParser {

    /** The name integrations refer to this parser by, e.g. {@code standard}. */
    String name();

    /** False for a parser that keeps payloads as they are (their messages stay "raw", not "parsed"). */
    default boolean readsPayloads() {
        return true;
    }

    List<Reading> parse(String topic, byte[] payload, String contentType, Instant receivedAt);
}
