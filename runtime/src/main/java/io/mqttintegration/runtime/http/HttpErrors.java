package io.mqttintegration.runtime.http;

import io.mqttintegration.parsers.Json;
import io.mqttintegration.storage.StorageUnavailableException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed HTTP exchange into the JSON error the client sees. Never a stack trace: an
 * unexpected failure is logged with an id and the client gets that id.
 */
public final class HttpErrors {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private final int retryAfterSeconds;

    public HttpErrors(int retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 4xx: the request was wrong; nothing was written. */
    public void clientError(Exchange exchange) {
        ApiException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ApiException.class);
        Map<String, Object> body = body(e.code(), e.getMessage(), e.field());
        e.extra().forEach(body::putIfAbsent);
        reply(exchange, e.status(), body);
        if (e.status() == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        }
        if (e.retryAfterSeconds() > 0) {
            exchange.getMessage().setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
    }

    /** 503: the queue is full or the database did not commit; the client should retry later. */
    public void unavailable(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String code = e instanceof StorageUnavailableException ? "storage_unavailable" : "queue_full";
        String detail = code.equals("queue_full")
                ? "the ingestion queue is full; retry after " + retryAfterSeconds + " s"
                : "the database did not confirm the messages; retry after " + retryAfterSeconds + " s";
        LOG.debug("503 {}: {}", code, e == null ? "" : e.getMessage());
        reply(exchange, 503, body(code, detail, null));
        exchange.getMessage().setHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    /** 500: a bug. The client gets an id to quote; the log has the stack trace under that id. */
    public void internalError(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String id = UUID.randomUUID().toString();
        LOG.error("Unexpected failure {} in route {}", id, exchange.getFromRouteId(), e);
        reply(exchange, 500, body("internal_error", "unexpected error; the service log has it under id " + id, null));
    }

    /**
     * The same answers for a request a Vert.x handler serves itself (the live stream): an
     * {@link ApiException} as its status and JSON error, anything else a 500 with a logged id.
     */
    public static void reply(HttpServerResponse response, Throwable failure) {
        if (response.headWritten() || response.closed()) {
            return;
        }
        int status;
        Map<String, Object> body;
        if (failure instanceof ApiException e) {
            status = e.status();
            body = body(e.code(), e.getMessage(), e.field());
            e.extra().forEach(body::putIfAbsent);
            if (status == 401) {
                response.putHeader("WWW-Authenticate", "Bearer");
            }
            if (e.retryAfterSeconds() > 0) {
                response.putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
            }
        } else {
            String id = UUID.randomUUID().toString();
            LOG.error("Unexpected failure {} serving {}", id, "an HTTP request", failure);
            status = 500;
            body = body("internal_error", "unexpected error; the service log has it under id " + id, null);
        }
        byte[] bytes;
        try {
            bytes = Json.strict().writeValueAsBytes(body);
        } catch (Exception e) {
            bytes = "{\"error\":\"internal_error\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(bytes));
    }

    static Map<String, Object> body(String code, String detail, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        return body;
    }

    static void reply(Exchange exchange, int status, Map<String, Object> body) {
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            m.setBody(Json.strict().writeValueAsBytes(body));
        } catch (Exception e) {
            m.setBody("{\"error\":\"internal_error\"}");
        }
    }
}
