package io.mqttintegration.parsers;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Runs a {@link ParserDefinition}: integrators' parsers, declared in files, without Java. */
public final class DeclarativeParser implements PayloadParser {

    private final ParserDefinition def;
    private final TopicDeviceId topicDeviceId;

    public DeclarativeParser(ParserDefinition definition, TopicDeviceId topicDeviceId) {
        this.def = definition;
        this.topicDeviceId = topicDeviceId;
    }

    @Override
    public String name() {
        return def.name();
    }

    @Override
    public List<Reading> parse(String topic, byte[] payload, String contentType, Instant receivedAt) {
        if (def.topicFilter() != null && !TopicFilter.matches(def.topicFilter(), topic)) {
            throw new PayloadParseException("topic " + topic + " does not match " + def.topicFilter());
        }
        if (def.contentType() != null && (contentType == null || !contentType.toLowerCase().startsWith(def.contentType()))) {
            throw new PayloadParseException("content type " + contentType + " is not " + def.contentType());
        }
        Map<String, Map<Instant, Reading.Builder>> readings = new LinkedHashMap<>();
        if (def.format() == ParserDefinition.Format.CSV) {
            csv(topic, payload, receivedAt, readings);
        } else {
            json(topic, payload, receivedAt, readings);
        }
        List<Reading> out = new ArrayList<>();
        readings.values().forEach(byTime -> byTime.values().forEach(b -> {
            def.tags().forEach((k, v) -> b.metric(k, v, null));
            out.add(b.build());
        }));
        return out;
    }

    private void json(String topic, byte[] payload, Instant receivedAt, Map<String, Map<Instant, Reading.Builder>> out) {
        JsonNode root = Json.readPayload(payload);
        List<JsonNode> items = def.items() == null ? List.of(root) : def.items().select(root, root);
        for (JsonNode item : items) {
            String device = device(def.deviceId() == null ? null : def.deviceId().first(root, item), topic);
            Instant time = receivedAt;
            if (def.timestamp() != null) {
                JsonNode t = def.timestamp().first(root, item);
                if (t == null) {
                    throw new PayloadParseException("no timestamp at " + def.timestamp());
                }
                time = Timestamps.parse(t);
            }
            Reading.Builder reading = out.computeIfAbsent(device, d -> new LinkedHashMap<>())
                    .computeIfAbsent(time, ts -> new Reading.Builder(device, ts));
            if (def.metricName() != null) {
                JsonNode name = def.metricName().first(root, item);
                JsonNode value = def.metricValue().first(root, item);
                if (name == null || !name.isTextual() || value == null) {
                    throw new PayloadParseException("an item has no metric name at " + def.metricName() + " or value at "
                            + def.metricValue());
                }
                reading.metric(checked(name.textValue()), scalar(value, name.textValue()), null);
            }
            for (Map.Entry<String, PathExpression> metric : def.metrics().entrySet()) {
                JsonNode value = metric.getValue().first(root, item);
                if (value != null) {
                    reading.metric(metric.getKey(), scalar(value, metric.getKey()), null);
                }
            }
        }
    }

    private void csv(String topic, byte[] payload, Instant receivedAt, Map<String, Map<Instant, Reading.Builder>> out) {
        String text = new String(payload, StandardCharsets.UTF_8);
        String[] lines = text.split("\r?\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split(Pattern.quote(def.separator()), -1);
            if (cells.length != def.columns().size()) {
                throw new PayloadParseException("line " + (n + 1) + " has " + cells.length + " columns, expected "
                        + def.columns().size());
            }
            String device = null;
            Instant time = receivedAt;
            Map<String, Object> metrics = new LinkedHashMap<>();
            for (int c = 0; c < cells.length; c++) {
                String column = def.columns().get(c);
                String cell = cells[c].trim();
                switch (column) {
                    case "_" -> { }
                    case "deviceId" -> device = cell.isEmpty() ? null : checked(cell);
                    case "timestamp" -> time = Timestamps.parse(cell);
                    default -> {
                        if (!cell.isEmpty()) {
                            metrics.put(column, cellValue(cell));
                        }
                    }
                }
            }
            String d = device != null ? device
                    : topicDeviceId.find(topic).orElseThrow(() -> new PayloadParseException("no device id in payload or topic"));
            Instant t = time;
            Reading.Builder reading = out.computeIfAbsent(d, k -> new LinkedHashMap<>())
                    .computeIfAbsent(t, ts -> new Reading.Builder(d, ts));
            metrics.forEach((k, v) -> reading.metric(k, v, null));
        }
    }

    private String device(JsonNode node, String topic) {
        if (node != null) {
            if (!(node.isTextual() || node.isIntegralNumber()) || node.asText().isBlank()) {
                throw new PayloadParseException("device id at " + def.deviceId() + " is not a string or an integer");
            }
            return checked(node.asText());
        }
        return topicDeviceId.find(topic).orElseThrow(() -> new PayloadParseException("no device id in payload or topic"));
    }

    private static Object scalar(JsonNode value, String metric) {
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            return checked(value.textValue());
        }
        throw new PayloadParseException("metric " + metric + " is not a number, boolean or string");
    }

    private static Object cellValue(String cell) {
        if (cell.equalsIgnoreCase("true") || cell.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(cell);
        }
        try {
            return new BigDecimal(cell);
        } catch (NumberFormatException e) {
            return checked(cell);
        }
    }

    private static String checked(String text) {
        if (text.indexOf('\u0000') >= 0) {
            throw new PayloadParseException("a value contains a NUL character");
        }
        return text;
    }
}
