package io.mqttintegration.runtime.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.parsers.LoneSurrogates;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.camel.Exchange;

/**
 * Reads a JSON request body under the strict limits of {@link Json}: checks the content type
 * before touching the body (a form post has no byte body), then size, then strict UTF-8 (Jackson
 * alone decodes overlong forms and encoded surrogates), then syntax, then escapes of lone
 * surrogates ({@link LoneSurrogates}: stored, they would become '?'). Every refusal is a 4xx
 * {@link ApiException}.
 */
public final class JsonRequests {

    private final int maxBodyBytes;

    public JsonRequests(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Route step: replaces the body with the parsed JSON. */
    public JsonNode readJson(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        checkContentType(contentType);
        return read(exchange.getMessage().getBody(byte[].class));
    }

    public JsonNode read(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ApiException(400, "empty_body", "the request body is empty");
        }
        if (body.length > maxBodyBytes) {
            throw new ApiException(413, "body_too_large", "the request body is " + body.length + " bytes; the limit is " + maxBodyBytes);
        }
        String text = strictUtf8(body);
        try {
            JsonNode root = Json.strict().readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new ApiException(400, "empty_body", "the request body holds no JSON value");
            }
            LoneSurrogates.Found lone = LoneSurrogates.find(root);
            if (lone != null) {
                throw new ApiException(400, "malformed_json", "the body holds " + lone.describe()
                        + ": a \\uD800-\\uDFFF escape must be one half of a pair", lone.path().isEmpty() ? null : lone.path());
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new ApiException(400, "json_limits", limitExceeded(e.getOriginalMessage()));
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new ApiException(400, "malformed_json", "the body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "malformed_json", "the body could not be read as JSON");
        }
    }

    /**
     * The body as text, refusing what is not well-formed UTF-8: overlong forms ({@code C0 AF} for
     * '/'), encoded surrogates (CESU-8 pairs, lone surrogates), code points above U+10FFFF, stray
     * and truncated sequences.
     */
    static String strictUtf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new ApiException(400, "malformed_json", "the body is not valid UTF-8 (byte offset " + in.position() + ")");
        }
        return out.flip().toString();
    }

    /** Which limit, in plain words (Jackson's own message names its classes). */
    static String limitExceeded(String jacksonMessage) {
        String m = jacksonMessage == null ? "" : jacksonMessage.toLowerCase(Locale.ROOT);
        if (m.contains("nesting")) {
            return "the JSON is nested deeper than " + Json.MAX_NESTING_DEPTH + " levels";
        }
        if (m.contains("number")) {
            return "a JSON number is longer than " + Json.MAX_NUMBER_LENGTH + " characters";
        }
        if (m.contains("string")) {
            return "a JSON string is longer than " + Json.MAX_STRING_LENGTH + " characters";
        }
        if (m.contains("name")) {
            return "a JSON field name is too long";
        }
        return "the JSON exceeds a size limit";
    }

    public static void checkContentType(String contentType) {
        if (!isJson(contentType)) {
            throw new ApiException(415, "unsupported_media_type",
                    "Content-Type must be application/json, got " + (contentType == null ? "none" : contentType));
        }
    }

    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }
}
