package io.mqttintegration.runtime.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API refuses, with the HTTP status and the JSON error it answers:
 * {@code {"error": code, "detail": detail, "field": field}}.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;
    private long retryAfterSeconds;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    public ApiException(int status, String code, String detail) {
        this(status, code, detail, null);
    }

    public ApiException(int status, String code, String detail, String field) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    /** 404 for a missing resource and for another organization's, alike. */
    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", "no such " + what);
    }

    /** Asks the client to wait before retrying (sent as Retry-After). */
    public ApiException retryAfter(long seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    /** Adds a field to the JSON error (e.g. the quota and its limit). */
    public ApiException with(String name, Object value) {
        extra.put(name, value);
        return this;
    }

    /** The fields added with {@link #with}. */
    public Map<String, Object> extra() {
        return java.util.Collections.unmodifiableMap(extra);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
