package io.mqttintegration.runtime.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.auth.Authenticator;
import io.mqttintegration.runtime.auth.AuthWiring;
import io.mqttintegration.runtime.cache.ExpiringCache;
import io.mqttintegration.runtime.config.IngestConfig;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.http.WorkerHop;
import io.mqttintegration.runtime.parsers.ParserFiles;
import io.mqttintegration.runtime.parsers.ParserRegistry;
import io.mqttintegration.runtime.routes.FolderWatcher;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * Ingestion's wiring: the parsers, the queue and the writer behind it, with the beans the ingestion
 * routes call ({@code ingestDecoder}, {@code ingestQueue}, {@code ingestReplies}, {@code messageParser},
 * {@code messageWriter}, {@code deadLetters}, {@code ingestTargets}, {@code ingestKeyLookup},
 * {@code ingestIntegrationLookup}) and the queue's meters.
 */
public final class IngestWiring {

    /** What the other areas need of ingestion. */
    public record Parts(IngestQueue queue, MessageWriter writer, DeadLetterStore deadLetters, MessageParsing parsing,
            ParserRegistry parserRegistry, IntegrationParsers parsers, ParserFiles parserFiles, IngestTargets targets,
            DeadLetterReplay deadLetterReplay) {

        /** Once Camel runs, before the route files: the parser files of the folder. */
        public void deployParsers(Path dir) throws IOException {
            parserFiles.deployAll(FolderWatcher.filesOf(dir, parserFiles));
        }
    }

    private IngestWiring() {
    }

    /**
     * @param authenticator tells whether a request's key is to be read from the database (then it hops to a worker thread)
     * @param meters the registry of {@code /metrics}, where the queue's meters go
     * @param batches told of each committed batch
     */
    public static Parts wire(CamelContext context, DataSource dataSource, ProductConfig config, IntegrationStore integrations,
            Authenticator authenticator, Vertx vertx, MeterRegistry meters, MessageWriter.BatchListener batches) {
        IngestConfig ingest = config.ingest();
        Registry registry = context.getRegistry();
        DeadLetterStore deadLetterStore = new DeadLetterStore(dataSource);
        MessageWriter writer = new MessageWriter(dataSource, deadLetterStore);
        ParserRegistry parserRegistry = new ParserRegistry();
        IntegrationParsers parsers = new IntegrationParsers(integrations, parserRegistry, 5_000);
        ParserFiles parserFiles = new ParserFiles(parserRegistry);
        parserRegistry.onChange(parsers::clear);
        MessageParsing parsing = new MessageParsing(parsers::parserFor);
        IngestQueue queue = new IngestQueue(context, "ingest", ingest.queueSize(), ingest.batchSize(), new WriterTurns(ingest.overlapAt()));
        registry.bind("ingestDecoder", new IngestRequestDecoder(config.http().maxBodyBytes(), ingest.requestMaxMessages(), Clock.systemUTC()));
        registry.bind("ingestQueue", queue);
        registry.bind("ingestReplies", new IngestReplies(ingest.commitTimeoutMs()));
        registry.bind("messageParser", parsing);
        registry.bind("messageWriter", writer);
        registry.bind("deadLetters", new DeadLetterHandler(deadLetterStore));

        IngestTargets targets = new IngestTargets(integrations,
                new ExpiringCache<>(AuthWiring.cacheTime(config.security()), AuthWiring.CACHE_ENTRIES, System::nanoTime));
        registry.bind("ingestTargets", targets);
        // routes/http-ingest.camel.yaml runs on the event loop: these move a request to a worker
        // thread when its key, or an integration it names, must be read from the database.
        registry.bind("ingestKeyLookup", new WorkerHop(vertx, authenticator::ingestNeedsNoLookup));
        registry.bind("ingestIntegrationLookup", new WorkerHop(vertx, e -> targets.assignNeedsNoLookup(e, parsers::holds)));
        IngestMeters.bind(meters, queue);
        writer.onBatch(batches);
        // One replay for the API (POST /api/v1/dead-letters/{id}/replay) and the Karaf console (mqtt:dead-letters --replay).
        DeadLetterReplay replay = new DeadLetterReplay(queue, parsing, deadLetterStore, ingest.commitTimeoutMs(), Clock.systemUTC());
        return new Parts(queue, writer, deadLetterStore, parsing, parserRegistry, parsers, parserFiles, targets, replay);
    }
}
