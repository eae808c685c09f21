package io.mqttintegration.runtime.console;

import io.mqttintegration.parsers.ParserDefinition;
import io.mqttintegration.runtime.ingest.DeadLetterReplay;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.metrics.Metrics;
import io.mqttintegration.runtime.parsers.ParserRegistry;
import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import io.mqttintegration.storage.DeadLetter;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.MessageWriter;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The console's answers about the ingestion pipeline: its queue and writer, its parsers, and the dead
 * letters it kept ({@code mqtt:queue-stats}, {@code mqtt:parser-list}, {@code mqtt:dead-letters}).
 */
record PipelineAnswers(IngestQueue queue, MessageWriter writer, Metrics metrics, ParserRegistry parserRegistry, DeadLetterStore deadLetters,
        DeadLetterReplay replayer) {

    /** mqtt:queue-stats: the ingestion queue and the writer. */
    public ConsoleAnswer queueStats() {
        ConsoleTable table = new ConsoleTable("METRIC", "VALUE");
        table.row("queue depth", queue().depth());
        table.row("queue capacity", queue().capacity());
        table.row("in flight", metrics().inFlight());
        table.row("rejected (503, queue full)", queue().rejected());
        table.row("stored", writer().storedMessages());
        table.row("failed (database)", writer().failedMessages());
        table.row("dead letters kept", deadLetters().kept());
        table.row("batches committed", metrics().batches());
        table.row("mean batch size", String.format(Locale.ROOT, "%.1f", metrics().meanBatchSize()));
        table.row("last batch size", writer().lastBatchSize());
        table.row("last commit ms", writer().lastCommitMillis());
        return ConsoleAnswer.of(table);
    }

    /** mqtt:parser-list: built-in parsers and the parsers declared in files. */
    public ConsoleAnswer parsers() {
        ConsoleTable table = new ConsoleTable("NAME", "KIND", "FORMAT", "TOPIC FILTER", "FILE");
        for (String name : parserRegistry().names()) {
            Optional<ParserDefinition> d = parserRegistry().definition(name);
            table.row(name, d.isPresent() ? "file" : "built-in",
                    d.map(x -> x.format().name().toLowerCase(Locale.ROOT)).orElse(null),
                    d.map(ParserDefinition::topicFilter).orElse(null),
                    parserRegistry().fileOf(name).map(f -> f.getFileName().toString()).orElse(null));
        }
        return ConsoleAnswer.of(table);
    }

    /** mqtt:dead-letters: the newest dead letters of every organization. */
    public ConsoleAnswer deadLetters(int limit) throws SQLException {
        ConsoleTable table = new ConsoleTable("ID", "CREATED", "INTEGRATION", "SOURCE", "TOPIC", "BYTES", "REPLAYED", "REASON");
        for (DeadLetter d : deadLetters().newest(limit)) {
            table.row(d.id(), d.createdAt() == null ? null : d.createdAt().toInstant(), d.integrationId(), d.source(), d.topic(),
                    d.payload() == null ? 0 : d.payload().length, d.replayedAt() == null ? "no" : d.replayedAt().toInstant(),
                    d.reason());
        }
        return ConsoleAnswer.of(table);
    }

    public List<String> deadLetterIds() throws SQLException {
        return deadLetters().newest(1_000).stream().filter(d -> d.replayedAt() == null).map(d -> d.id().toString()).toList();
    }

    /**
     * mqtt:dead-letters --replay: the API's replay ({@link DeadLetterReplay}), its outcome said in a
     * sentence for the Karaf console.
     */
    public String replay(UUID id) throws SQLException, InterruptedException {
        DeadLetter d = deadLetters().find(id).orElseThrow(() -> new IllegalArgumentException("no dead letter " + id));
        DeadLetterReplay.Result r = replayer().replay(d);
        return switch (r.status()) {
            case REPLAYED -> "dead letter " + id + " replayed: stored as message " + r.messageId() + " (" + d.payload().length
                    + " bytes, topic " + d.topic() + ")";
            case ALREADY_REPLAYED -> "dead letter " + id + " was " + r.detail();
            case NOT_REPLAYABLE -> "dead letter " + id + " cannot be replayed: it was " + r.detail();
            case FAILED_AGAIN -> "dead letter " + id + " " + r.detail() + " (see mqtt:dead-letters)";
            case NOT_COMMITTED -> "dead letter " + id + " was " + r.detail() + "; check mqtt:queue-stats, then mqtt:dead-letters";
        };
    }
}
