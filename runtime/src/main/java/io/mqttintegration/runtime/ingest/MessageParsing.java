package io.mqttintegration.runtime.ingest;

import io.mqttintegration.parsers.PayloadParseException;
import io.mqttintegration.parsers.PayloadParser;
import io.mqttintegration.storage.InboundMessage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parses a message on its way to the writer, with the parser its integration chose. A payload the
 * parser cannot read is not an error of the pipeline: the message is stored raw with the reason,
 * and counted. A {@code raw} integration's messages are stored as they are.
 */
public final class MessageParsing {

    private final IntegrationParsers parsers;
    private final AtomicLong parsed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public MessageParsing(IntegrationParsers parsers) {
        this.parsers = parsers;
    }

    public InboundMessage parse(InboundMessage message) {
        PayloadParser parser = parsers.parserFor(message);
        if (!parser.readsPayloads()) {
            return message;
        }
        try {
            message.parsed(parser.parse(message.topic(), message.payload(), message.contentType(), message.receivedAt()));
            parsed.incrementAndGet();
        } catch (PayloadParseException e) {
            message.parseFailed(parser.name() + ": " + e.getMessage());
            failed.incrementAndGet();
        }
        return message;
    }

    public long parsed() {
        return parsed.get();
    }

    public long failed() {
        return failed.get();
    }
}
