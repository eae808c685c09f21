package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StorageUnavailableException;
import io.mqttintegration.storage.StoreOutcome;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class AwaitStoredTest {

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final UUID integration = UUID.randomUUID();
    private final List<String> order = new CopyOnWriteArrayList<>();

    private Exchange exchange(InboundMessage m) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setBody(m);
        return e;
    }

    private InboundMessage message(String topic) {
        return new InboundMessage(InboundMessage.Source.MQTT, topic, new byte[] {'1'}, null, Instant.now(), UUID.randomUUID(),
                integration);
    }

    @Test
    void exchangesCompleteInTheOrderTheMessagesCameEvenWhenALaterOneIsCommittedFirst() {
        AwaitStored await = new AwaitStored(id -> { });
        InboundMessage first = message("a");
        InboundMessage second = message("b");
        Exchange e1 = exchange(first);
        Exchange e2 = exchange(second);
        assertFalse(await.process(e1, sync -> order.add("a")), "completes later, without a thread waiting");
        assertFalse(await.process(e2, sync -> order.add("b")));

        second.outcome().complete(StoreOutcome.STORED); // another writer committed the later message first
        assertEquals(List.of(), order, "the later message's PUBACK waits for its predecessor's");

        first.outcome().complete(StoreOutcome.STORED);
        assertEquals(List.of("a", "b"), order, "PUBACKs in the order the PUBLISHes came");
    }

    @Test
    void aMessageThatWasNotStoredFailsItsExchangeAndReleasesTheNext() {
        List<UUID> stored = new CopyOnWriteArrayList<>();
        AwaitStored await = new AwaitStored(stored::add);
        InboundMessage first = message("a");
        InboundMessage second = message("b");
        Exchange e1 = exchange(first);
        Exchange e2 = exchange(second);
        await.process(e1, sync -> order.add("a"));
        await.process(e2, sync -> order.add("b"));

        first.outcome().completeExceptionally(new StorageUnavailableException("down", null));
        second.outcome().complete(StoreOutcome.STORED);

        assertEquals(List.of("a", "b"), order);
        assertTrue(e1.getException() instanceof StorageUnavailableException, "no PUBACK: the broker sends it again");
        assertEquals(null, e2.getException());
        assertEquals(List.of(integration), stored, "only the stored one is counted");
    }

    @Test
    void aFullInFlightWindowCompletedBackwardsCompletesInOrderWithoutDeepStacks() {
        AwaitStored await = new AwaitStored(id -> { });
        int n = 20_000; // more than any broker window; a chain of futures overflowed the stack here
        List<InboundMessage> messages = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            InboundMessage m = message("m" + i);
            messages.add(m);
            String name = "m" + i;
            await.process(exchange(m), sync -> order.add(name));
        }
        for (int i = n - 1; i >= 0; i--) {
            messages.get(i).outcome().complete(StoreOutcome.STORED);
        }
        assertEquals(n, order.size(), "every exchange completed");
        for (int i = 0; i < n; i++) {
            assertEquals("m" + i, order.get(i));
        }
    }
}
