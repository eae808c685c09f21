package io.mqttintegration.runtime.ingest;

import io.mqttintegration.parsers.Parsers;
import io.mqttintegration.parsers.PayloadParseException;
import io.mqttintegration.parsers.PayloadParser;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.parsers.TopicDeviceId;
import io.mqttintegration.parsers.TopicFilter;
import io.mqttintegration.runtime.integrations.BrokerSettings;
import io.mqttintegration.runtime.parsers.ParserRegistry;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which parser reads a message: the first of the integration's {@code settings.parsers} rules whose
 * topic filter matches, else its {@code settings.parser}, else {@code standard}; each made with the
 * integration's {@code deviceIdPattern}. An integration's choice is kept for a few seconds (changes
 * through the API take effect at once on this instance, within that time on others).
 */
public final class IntegrationParsers {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationParsers.class);

    private record Rule(String filter, PayloadParser parser) {
    }

    private record Selection(PayloadParser fallback, List<Rule> rules, long loadedAtNanos) {
        PayloadParser forTopic(String topic) {
            for (Rule rule : rules) {
                if (TopicFilter.matches(rule.filter(), topic)) {
                    return rule.parser();
                }
            }
            return fallback;
        }
    }

    private final IntegrationStore store;
    private final ParserRegistry registry;
    private final long ttlNanos;
    private final PayloadParser standard = Parsers.create(Parsers.DEFAULT, TopicDeviceId.defaultPattern());
    private final Map<UUID, Selection> cache = new ConcurrentHashMap<>();
    /** Integration id and pattern of each stored pattern already logged as unusable. */
    private final Set<String> reportedPatterns = ConcurrentHashMap.newKeySet();

    public IntegrationParsers(IntegrationStore store, ParserRegistry registry, long ttlMillis) {
        this.store = store;
        this.registry = registry;
        this.ttlNanos = ttlMillis * 1_000_000L;
    }

    public PayloadParser parserFor(InboundMessage message) {
        if (message.integrationId() == null || message.organizationId() == null) {
            return standard;
        }
        Selection selection = cache.get(message.integrationId());
        if (!fresh(selection)) {
            selection = load(message.organizationId(), message.integrationId());
            cache.put(message.integrationId(), selection);
        }
        return selection.forTopic(message.topic());
    }

    /** Whether {@link #parserFor} answers a message of the integration without reading the database. */
    public boolean holds(UUID integrationId) {
        if (integrationId == null) {
            return true;
        }
        return fresh(cache.get(integrationId));
    }

    private boolean fresh(Selection selection) {
        return selection != null && System.nanoTime() - selection.loadedAtNanos() <= ttlNanos;
    }

    public void invalidate(UUID integrationId) {
        cache.remove(integrationId);
    }

    /** Forgets every choice (a parser file changed). */
    public void clear() {
        cache.clear();
    }

    private Selection load(UUID organizationId, UUID integrationId) {
        Optional<IntegrationRecord> integration = store.get(organizationId, integrationId);
        if (integration.isEmpty()) {
            return new Selection(standard, List.of(), System.nanoTime());
        }
        BrokerSettings settings = BrokerSettings.fromStored(integration.get().settingsJson(), Map.of());
        TopicDeviceId deviceIds = deviceIds(integrationId, settings.deviceIdPattern());
        List<Rule> rules = new ArrayList<>();
        for (BrokerSettings.ParserRule rule : settings.parsersOrDefault()) {
            rules.add(new Rule(rule.topic(), create(rule.parser(), deviceIds)));
        }
        return new Selection(create(settings.parserOrDefault(), deviceIds), List.copyOf(rules),
                System.nanoTime());
    }

    /**
     * A pattern stored before patterns had to match in linear time (a backreference, lookaround, over
     * the length limit) gives no device id rather than failing ingestion; logged once.
     */
    private TopicDeviceId deviceIds(UUID integrationId, String pattern) {
        try {
            return TopicDeviceId.of(pattern);
        } catch (IllegalArgumentException e) {
            if (reportedPatterns.add(integrationId + " " + pattern)) {
                LOG.warn("Integration {}: its stored deviceIdPattern cannot be used ({}); its messages get no device id"
                        + " from it until the pattern is changed", integrationId, e.getMessage());
            }
            return TopicDeviceId.none();
        }
    }

    /** A parser that is gone (its file deleted) fails each message with that reason; nothing is lost. */
    private PayloadParser create(String name, TopicDeviceId deviceIds) {
        try {
            return registry.create(name, deviceIds);
        } catch (IllegalArgumentException e) {
            return new MissingParser(name);
        }
    }

    /** Stands in for a parser whose file was deleted: each message is stored with that reason. */
    private record MissingParser(String name) implements PayloadParser {
        @Override
        public List<Reading> parse(String topic, byte[] payload, String contentType, Instant receivedAt) {
            throw new PayloadParseException("no parser named '" + name + "' is deployed");
        }
    }
}
