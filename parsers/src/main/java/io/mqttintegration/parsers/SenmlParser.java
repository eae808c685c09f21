package io.mqttintegration.parsers;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code senml} parser: RFC 8428 SenML JSON packs. Base fields (bn, bt, bu, bv) apply to their
 * record and all that follow until changed; names resolve as bn + n; times as bt + t, where a
 * resolved time below 2^28 is relative to the receive time; values as bv + v, or vs / vb / vd.
 * Records of the same device and time make one reading; the device is the base name (without its
 * trailing separator), else the topic's device.
 */
public final class SenmlParser implements PayloadParser {

    /** RFC 8428 section 4.5.3: smaller resolved times are relative to "now". */
    static final double RELATIVE_LIMIT = 268_435_456d;
    static final int MAX_VERSION = 10;

    private final TopicDeviceId topicDeviceId;

    public SenmlParser(TopicDeviceId topicDeviceId) {
        this.topicDeviceId = topicDeviceId;
    }

    @Override
    public String name() {
        return "senml";
    }

    @Override
    public List<Reading> parse(String topic, byte[] payload, String contentType, Instant receivedAt) {
        JsonNode pack = Json.readPayload(payload);
        if (pack == null || !pack.isArray()) {
            throw new PayloadParseException("a SenML pack must be a JSON array of records");
        }
        String baseName = "";
        Double baseTime = 0d;
        String baseUnit = null;
        BigDecimal baseValue = BigDecimal.ZERO;
        Map<String, Map<Instant, Reading.Builder>> byDevice = new LinkedHashMap<>();
        for (int i = 0; i < pack.size(); i++) {
            JsonNode r = pack.get(i);
            String at = "record " + i;
            if (!r.isObject()) {
                throw new PayloadParseException(at + " is not an object");
            }
            if (r.has("bver") && (!r.get("bver").canConvertToInt() || r.get("bver").asInt() > MAX_VERSION)) {
                throw new PayloadParseException(at + ": unsupported SenML version " + r.get("bver"));
            }
            baseName = r.has("bn") ? text(r, "bn", at) : baseName;
            baseTime = r.has("bt") ? number(r, "bt", at).doubleValue() : baseTime;
            baseUnit = r.has("bu") ? text(r, "bu", at) : baseUnit;
            baseValue = r.has("bv") ? number(r, "bv", at) : baseValue;

            Object value = value(r, baseValue, at);
            if (value == null) {
                continue; // a record that only sets base fields
            }
            String name = r.has("n") ? text(r, "n", at) : "";
            if (baseName.isEmpty() && name.isEmpty()) {
                throw new PayloadParseException(at + " has no name (n or bn)");
            }
            String device = deviceOf(baseName, topic, at);
            String metric = name.isEmpty() ? baseName : name;
            double t = baseTime + (r.has("t") ? number(r, "t", at).doubleValue() : 0d);
            Instant time = Math.abs(t) < RELATIVE_LIMIT
                    ? receivedAt.plusMillis(Math.round(t * 1000))
                    : Timestamps.fromEpoch(t);
            String unit = r.has("u") ? text(r, "u", at) : baseUnit;
            byDevice.computeIfAbsent(device, d -> new LinkedHashMap<>())
                    .computeIfAbsent(time, ts -> new Reading.Builder(device, ts))
                    .metric(metric, value, unit);
        }
        List<Reading> readings = new ArrayList<>();
        byDevice.values().forEach(times -> times.values().forEach(b -> readings.add(b.build())));
        return readings;
    }

    private String deviceOf(String baseName, String topic, String at) {
        String device = baseName.replaceAll("[:/.]+$", "");
        if (!device.isEmpty()) {
            return device;
        }
        return topicDeviceId.find(topic).orElseThrow(() -> new PayloadParseException(
                at + ": no device: the pack has no base name (bn) and the topic names no device"));
    }

    private static Object value(JsonNode r, BigDecimal baseValue, String at) {
        if (r.has("v")) {
            return baseValue.add(number(r, "v", at));
        }
        if (r.has("vs")) {
            return text(r, "vs", at);
        }
        if (r.has("vb")) {
            if (!r.get("vb").isBoolean()) {
                throw new PayloadParseException(at + ": vb must be true or false");
            }
            return r.get("vb").booleanValue();
        }
        if (r.has("vd")) {
            return text(r, "vd", at);
        }
        if (r.has("s")) {
            return number(r, "s", at);
        }
        return null;
    }

    private static BigDecimal number(JsonNode r, String field, String at) {
        JsonNode v = r.get(field);
        if (!v.isNumber()) {
            throw new PayloadParseException(at + ": " + field + " must be a number");
        }
        return v.decimalValue();
    }

    private static String text(JsonNode r, String field, String at) {
        JsonNode v = r.get(field);
        if (!v.isTextual()) {
            throw new PayloadParseException(at + ": " + field + " must be a string");
        }
        if (v.textValue().indexOf('\u0000') >= 0) {
            throw new PayloadParseException(at + ": " + field + " contains a NUL character");
        }
        return v.textValue();
    }
}
