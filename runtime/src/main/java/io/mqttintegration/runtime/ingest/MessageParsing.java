package io.mqttintegration.runtime.ingest;

import io.mqttintegration.parsers.PayloadParseException;
import io.mqttintegration.parsers.PayloadParser;
import io.mqttintegration.storage.InboundMessage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parses a message on its way to the writer. A payload its parser cannot read is not an error of
 * the pipeline: the message is stored raw with the reason, and counted.
 */
public final class MessageParsing {

    private final PayloadParser parser;
    private final AtomicLong parsed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public MessageParsing(PayloadParser parser) {
        this.parser = parser;
    }

    /** The name integrations know this parser by. */
    public String parserName() {
        return parser.name();
    }

    public InboundMessage parse(InboundMessage message) {
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
