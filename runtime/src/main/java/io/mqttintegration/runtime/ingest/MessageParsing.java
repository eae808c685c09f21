package io.mqttintegration.runtime.ingest;

import io.mqttintegration.parsers.PayloadParseException;
import io.mqttintegration.parsers.PayloadParser;
import io.mqttintegration.storage.InboundMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses a message before it is queued for the writer (on the sender's own thread: an HTTP
 * request's worker, a subscription's client), with the parser its integration chose. A payload the
 * parser cannot read is not an error of the pipeline: the message is stored raw with the reason,
 * and counted. So is a parser that fails on a payload (a bug): one message's parser never fails
 * its neighbours. A {@code raw} integration's messages are stored as they are.
 */
public final class MessageParsing {

    private static final Logger LOG = LoggerFactory.getLogger(MessageParsing.class);

    private final Function<InboundMessage, PayloadParser> parserFor;
    private final AtomicLong parsed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** @param parserFor the parser a message's integration chose ({@link IntegrationParsers#parserFor}) */
    public MessageParsing(Function<InboundMessage, PayloadParser> parserFor) {
        this.parserFor = parserFor;
    }

    public InboundMessage parse(InboundMessage message) {
        PayloadParser parser = parserFor.apply(message);
        if (!parser.readsPayloads()) {
            return message;
        }
        try {
            message.parsed(parser.parse(message.topic(), message.payload(), message.contentType(), message.receivedAt()));
            parsed.incrementAndGet();
        } catch (PayloadParseException e) {
            message.parseFailed(parser.name() + ": " + e.getMessage());
            failed.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.warn("Parser {} failed on a message of topic {} (stored raw with the reason)", parser.name(), message.topic(), e);
            message.parseFailed(parser.name() + " failed: " + e);
            failed.incrementAndGet();
        }
        return message;
    }

    /** Route step: every message of a request, in place. */
    public List<InboundMessage> parseAll(List<InboundMessage> messages) {
        for (InboundMessage m : messages) {
            parse(m);
        }
        return messages;
    }

    /**
     * Pipeline step: parses the messages of a batch that no sender parsed (a subscription's: its one
     * client thread is the subscription's limit, the writers are several). A message already parsed,
     * or that failed to parse, is left as it is; one of a {@code raw} integration is asked again, cheaply.
     */
    public List<InboundMessage> parsePending(List<InboundMessage> batch) {
        for (InboundMessage m : batch) {
            if (m.parseStatus() == InboundMessage.ParseStatus.RAW) {
                parse(m);
            }
        }
        return batch;
    }

    public long parsed() {
        return parsed.get();
    }

    public long failed() {
        return failed.get();
    }
}
