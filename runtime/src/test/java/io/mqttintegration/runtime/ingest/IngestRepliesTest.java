package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StorageUnavailableException;
import io.mqttintegration.storage.StoreOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class IngestRepliesTest {

    private static InboundMessage message() {
        return new InboundMessage(InboundMessage.Source.HTTP, "t", new byte[] {'1'}, "application/json", Instant.now(), null, null);
    }

    /** The processor as the ingest route runs it: the exchange once its callback has fired. */
    private static Exchange reply(IngestReplies replies, List<InboundMessage> messages) throws Exception {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(messages);
        CompletableFuture<Void> done = new CompletableFuture<>();
        replies.process(exchange, doneSync -> done.complete(null));
        done.get(10, TimeUnit.SECONDS);
        return exchange;
    }

    @Test
    void answersOnceEveryMessageIsStoredOrKept() throws Exception {
        InboundMessage a = message();
        InboundMessage b = message();
        a.outcome().complete(StoreOutcome.STORED);
        b.outcome().complete(StoreOutcome.DEAD_LETTERED);

        assertEquals(Map.of("accepted", 2, "deadLettered", 1), reply(new IngestReplies(1000), List.of(a, b)).getMessage().getBody());
    }

    @Test
    void aMessageNotCommittedInTimeMakesTheRequestUnavailable() throws Exception {
        InboundMessage a = message();
        a.outcome().complete(StoreOutcome.STORED);
        InboundMessage pending = message();

        assertInstanceOf(StorageUnavailableException.class, reply(new IngestReplies(100), List.of(a, pending)).getException());
    }

    @Test
    void aDatabaseFailureIsPassedOn() throws Exception {
        InboundMessage a = message();
        StorageUnavailableException down = new StorageUnavailableException("down", null);
        a.outcome().completeExceptionally(down);

        assertEquals(down, reply(new IngestReplies(1000), List.of(a)).getException());
    }
}
