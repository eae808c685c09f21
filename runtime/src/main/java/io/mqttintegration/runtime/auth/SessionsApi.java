package io.mqttintegration.runtime.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.JsonRequests;
import io.mqttintegration.storage.tenants.ConsoleSession;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * {@code /api/v1/session} (routes/api-session.camel.yaml): sign in to the web console with a key,
 * read the session back (a reloaded page re-reads its CSRF token), sign out. The key is checked like
 * any key (wrong ones counted against the address) and never answered back.
 */
public final class SessionsApi {

    /** A sign-in's or sign-out's answer: the body, and the Set-Cookie header that goes with it. */
    public record Answer(Map<String, Object> body, String setCookie) {
    }

    private final Authenticator auth;
    private final ConsoleSessions sessions;
    private final JsonRequests json;

    /** @param sessions null when the console is off: every operation here is then 404 */
    public SessionsApi(Authenticator auth, ConsoleSessions sessions, JsonRequests json) {
        this.auth = auth;
        this.sessions = sessions;
        this.json = json;
    }

    /** POST: {@code {"key": "..."}} → the session, its cookie set. */
    public Answer signIn(Exchange exchange) {
        if (sessions == null) {
            throw ApiException.notFound("session");
        }
        JsonNode key = json.readJson(exchange).get("key");
        if (key == null || !key.isTextual() || key.asText().isBlank()) {
            throw new ApiException(400, "missing_field", "send the API key (or the operator key) as {\"key\": \"...\"}", "key");
        }
        Principal principal = auth.signIn(exchange, key.asText());
        ConsoleSessions.Made made = sessions.signIn(principal);
        return new Answer(describe(made.session()), sessions.cookie(made.token(), secure(exchange)));
    }

    /** GET: the caller's session (authenticated by {@link Authenticator#authenticateSession}). */
    public Map<String, Object> current(@ExchangeProperty(ConsoleSessions.PROPERTY) ConsoleSession session) {
        return describe(session);
    }

    /** DELETE: ends the session on every node; the cookie that clears it. */
    public String signOut(@ExchangeProperty(ConsoleSessions.PROPERTY) ConsoleSession session, Exchange exchange) {
        sessions.end(session);
        return ConsoleSessions.clearedCookie(secure(exchange));
    }

    static Map<String, Object> describe(ConsoleSession session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("organizationId", session.organizationId());
        body.put("operator", session.operator());
        body.put("scopes", session.operator() ? Principal.SCOPES.stream().sorted().toList() : session.scopes());
        body.put("csrfToken", session.csrfToken());
        body.put("expiresAt", session.expiresAt().toInstant().toString());
        return body;
    }

    /** Over HTTPS, or behind a proxy that says it took the request over HTTPS. */
    private static boolean secure(Exchange exchange) {
        if (exchange.getMessage() instanceof HttpMessage http && http.getRequest().isSSL()) {
            return true;
        }
        return "https".equalsIgnoreCase(Authenticator.requestHeader(exchange, "X-Forwarded-Proto"));
    }
}
