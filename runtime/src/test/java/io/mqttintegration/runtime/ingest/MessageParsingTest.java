package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.parsers.PayloadParseException;
import io.mqttintegration.parsers.PayloadParser;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageParsingTest {

    /** Reads "n" as one reading; refuses "bad"; fails (a bug) on "crash". */
    private static final PayloadParser PARSER = new PayloadParser() {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public List<Reading> parse(String topic, byte[] payload, String contentType, Instant receivedAt) {
            String text = new String(payload, StandardCharsets.UTF_8);
            if (text.equals("bad")) {
                throw new PayloadParseException("not a number");
            }
            if (text.equals("crash")) {
                throw new IllegalStateException("parser bug");
            }
            return List.of(new Reading("d", receivedAt, Map.of("v", Integer.parseInt(text)), Map.of()));
        }
    };

    private static InboundMessage message(String payload) {
        return new InboundMessage(InboundMessage.Source.HTTP, "t", payload.getBytes(StandardCharsets.UTF_8), null,
                Instant.parse("2026-11-28T00:00:00Z"), UUID.randomUUID(), UUID.randomUUID());
    }

    @Test
    void aParserThatFailsOnOneMessageStoresItRawWithTheReasonAndParsesItsNeighbours() {
        MessageParsing parsing = new MessageParsing(m -> PARSER);
        List<InboundMessage> request = List.of(message("1"), message("crash"), message("bad"), message("2"));

        parsing.parseAll(request);

        assertEquals("[PARSED, FAILED, FAILED, PARSED]", request.stream().map(InboundMessage::parseStatus).toList().toString());
        assertTrue(request.get(1).parseError().contains("test failed: java.lang.IllegalStateException: parser bug"),
                "the reason names the parser and its failure: " + request.get(1).parseError());
        assertEquals("test: not a number", request.get(2).parseError());
        assertEquals(2, parsing.parsed());
        assertEquals(2, parsing.failed());
    }

    @Test
    void aRawIntegrationsMessagesAreLeftAsTheyAre() {
        PayloadParser raw = new io.mqttintegration.parsers.RawParser();
        InboundMessage m = new MessageParsing(x -> raw).parse(message("crash"));
        assertEquals(InboundMessage.ParseStatus.RAW, m.parseStatus());
    }

    @Test
    void theWritersParseOnlyWhatNoSenderParsed() {
        MessageParsing parsing = new MessageParsing(m -> PARSER);
        InboundMessage fromHttp = parsing.parse(message("1"));
        InboundMessage fromMqtt = message("2");

        parsing.parsePending(List.of(fromHttp, fromMqtt));

        assertEquals(InboundMessage.ParseStatus.PARSED, fromMqtt.parseStatus());
        assertEquals(2, parsing.parsed(), "the message parsed by its sender is not parsed again");
    }
}
