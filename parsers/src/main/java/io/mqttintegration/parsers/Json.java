package io.mqttintegration.parsers;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * The one Jackson configuration used for untrusted JSON: tight read limits instead of the library
 * defaults (nesting, number and string length), exact decimals (so {@code 1e999} stays a number
 * instead of becoming Infinity, and {@code 1.50} keeps its scale), duplicate keys and trailing garbage refused.
 */
public final class Json {

    public static final int MAX_NESTING_DEPTH = 64;
    public static final int MAX_NUMBER_LENGTH = 100;
    public static final int MAX_STRING_LENGTH = 1 << 20;

    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .build())
                    .build())
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private Json() {
    }

    /**
     * Reads a payload for a parser: a {@link PayloadParseException} with a short reason for anything
     * that is not one JSON value, or whose strings are not whole Unicode ({@link LoneSurrogates}).
     */
    public static JsonNode readPayload(byte[] payload) {
        try {
            JsonNode root = STRICT.readTree(payload);
            if (root == null || root.isMissingNode()) {
                throw new PayloadParseException("payload is empty");
            }
            LoneSurrogates.Found lone = LoneSurrogates.find(root);
            if (lone != null) {
                throw new PayloadParseException("payload holds " + lone.describe());
            }
            return root;
        } catch (JacksonException e) {
            throw new PayloadParseException("payload is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PayloadParseException("payload could not be read", e);
        }
    }

    /** A shared, thread-safe mapper for reading untrusted JSON and writing our own. */
    public static ObjectMapper strict() {
        return STRICT;
    }
}
