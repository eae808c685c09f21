package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StorageUnavailableException;
import io.mqttintegration.storage.StoreOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestRepliesTest {

    private static InboundMessage message() {
        return new InboundMessage(InboundMessage.Source.HTTP, "t", new byte[] {'1'}, "application/json", Instant.now(), null, null);
    }

    @Test
    void answersOnceEveryMessageIsStoredOrKept() throws Exception {
        InboundMessage a = message();
        InboundMessage b = message();
        a.outcome().complete(StoreOutcome.STORED);
        b.outcome().complete(StoreOutcome.DEAD_LETTERED);

        assertEquals(Map.of("accepted", 2, "deadLettered", 1), new IngestReplies(1000).awaitStored(List.of(a, b)));
    }

    @Test
    void aMessageNotCommittedInTimeMakesTheRequestUnavailable() {
        InboundMessage a = message();
        a.outcome().complete(StoreOutcome.STORED);
        InboundMessage pending = message();

        assertThrows(StorageUnavailableException.class, () -> new IngestReplies(100).awaitStored(List.of(a, pending)));
    }

    @Test
    void aDatabaseFailureIsPassedOn() {
        InboundMessage a = message();
        StorageUnavailableException down = new StorageUnavailableException("down", null);
        a.outcome().completeExceptionally(down);

        assertEquals(down, assertThrows(StorageUnavailableException.class, () -> new IngestReplies(1000).awaitStored(List.of(a))));
    }
}
