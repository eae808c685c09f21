package io.mqttintegration.parsers;

import java.util.List;
import java.util.Map;

/**
 * A parser declared in a {@code *.parser.yaml} file (see docs/parsers.md), compiled: its name, when it
 * applies, and how to find device, time and metrics. JSON payloads use {@link PathExpression}s; CSV
 * payloads name their columns.
 *
 * @param items        JSON: the items that give readings (null: the payload itself)
 * @param metrics      JSON: metric name to the path of its value
 * @param metricName   JSON: for key/value items, the path of the metric's name (with metricValue)
 * @param columns      CSV: column names; {@code deviceId} and {@code timestamp} are special, {@code _} skips
 * @param tags         constant string values added to every reading
 */
public record ParserDefinition(String name, String topicFilter, String contentType, Format format,
        PathExpression items, PathExpression deviceId, PathExpression timestamp, Map<String, PathExpression> metrics,
        PathExpression metricName, PathExpression metricValue, List<String> columns, String separator,
        Map<String, String> tags) {

    /** The payload formats a parser file can read. */
    public enum Format { JSON, CSV }
}
