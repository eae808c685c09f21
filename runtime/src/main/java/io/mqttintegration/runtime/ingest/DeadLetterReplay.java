package io.mqttintegration.runtime.ingest;

import io.mqttintegration.storage.DeadLetter;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StoreOutcome;
import java.sql.SQLException;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a kept dead letter's message through the pipeline again (parse, batch, commit) and marks the
 * dead letter replayed once the message is stored. A message that fails again is kept as a new dead
 * letter; the first stays unreplayed. The API's replay (POST /api/v1/dead-letters/{id}/replay).
 */
public final class DeadLetterReplay {

    /** What a replay did; {@code messageId} is the new message's when it was queued. */
    public record Result(Status status, UUID messageId, String detail) {
    }

    public enum Status { REPLAYED, ALREADY_REPLAYED, NOT_REPLAYABLE, FAILED_AGAIN, NOT_COMMITTED }

    private final IngestQueue queue;
    private final MessageParsing parsing;
    private final DeadLetterStore deadLetters;
    private final long commitTimeoutMillis;
    private final Clock clock;

    public DeadLetterReplay(IngestQueue queue, MessageParsing parsing, DeadLetterStore deadLetters, long commitTimeoutMillis, Clock clock) {
        this.queue = queue;
        this.parsing = parsing;
        this.deadLetters = deadLetters;
        this.commitTimeoutMillis = commitTimeoutMillis;
        this.clock = clock;
    }

    public Result replay(DeadLetter d) throws SQLException, InterruptedException {
        if (d.replayedAt() != null) {
            return new Result(Status.ALREADY_REPLAYED, null, "already replayed at " + d.replayedAt().toInstant());
        }
        if (d.organizationId() == null || d.integrationId() == null || d.topic() == null || d.payload() == null) {
            return new Result(Status.NOT_REPLAYABLE, null, "refused before it had an integration: " + d.reason());
        }
        InboundMessage message = new InboundMessage(
                "mqtt".equals(d.source()) ? InboundMessage.Source.MQTT : InboundMessage.Source.HTTP, d.topic(), d.payload(),
                null, clock.instant(), d.organizationId(), d.integrationId());
        queue.enqueue(parsing.parse(message));
        StoreOutcome outcome;
        try {
            outcome = message.outcome().get(commitTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Result(Status.NOT_COMMITTED, message.id(), "queued but not committed within " + commitTimeoutMillis + " ms");
        } catch (ExecutionException e) {
            return new Result(Status.NOT_COMMITTED, message.id(), "not stored: " + e.getCause().getMessage());
        }
        if (outcome == StoreOutcome.DEAD_LETTERED) {
            return new Result(Status.FAILED_AGAIN, message.id(), "failed again and was kept as a new dead letter");
        }
        deadLetters.markReplayed(d.id());
        return new Result(Status.REPLAYED, message.id(), "stored as message " + message.id());
    }
}
