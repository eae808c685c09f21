package io.mqttintegration.runtime.auth;

import io.mqttintegration.security.ApiKeys;
import io.mqttintegration.storage.tenants.ConsoleSession;
import io.mqttintegration.storage.tenants.ConsoleSessionStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Web console sessions: a key exchanged for a random token in an HttpOnly cookie, so the browser never
 * keeps the key. The token is 256 random bits; the database keeps only its keyed hash (the one API
 * keys are hashed with), so a copy of the table signs nobody in. Each session has its own CSRF token,
 * which every request but a GET made with the cookie must carry in {@code X-CSRF-Token}.
 */
public final class ConsoleSessions {

    public static final String COOKIE = "mqi_session";
    /** The exchange property of a request authenticated by its session cookie. */
    public static final String PROPERTY = "mqi.session";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    /** A new session and the token to give the browser once, in its cookie. */
    public record Made(ConsoleSession session, String token) {
    }

    private final ConsoleSessionStore store;
    private final ApiKeys apiKeys;
    private final int minutes;
    private final SecureRandom random = new SecureRandom();

    /** @param minutes console.sessionMinutes: a session's life from sign-in */
    public ConsoleSessions(ConsoleSessionStore store, ApiKeys apiKeys, int minutes) {
        this.store = store;
        this.apiKeys = apiKeys;
        this.minutes = minutes;
    }

    public Made signIn(Principal principal) {
        // Expired rows go at sign-in (an indexed delete): no timer, and never more rows than sign-ins.
        store.purgeExpired();
        String token = randomToken();
        List<String> scopes = principal.scopes().stream().sorted().toList();
        ConsoleSession session = store.create(apiKeys.hash(token), randomToken(), principal.operator(), principal.organizationId(),
                principal.keyId(), principal.integrationId(), scopes, minutes);
        return new Made(session, token);
    }

    /** The live session of a cookie's token: not expired, not signed out, its key not revoked. */
    public Optional<ConsoleSession> find(String token) {
        if (token == null || token.isBlank() || token.length() > 100) {
            return Optional.empty();
        }
        return store.find(apiKeys.hash(token));
    }

    /** Signs out on every node (the row is gone). */
    public void end(ConsoleSession session) {
        store.delete(session.id());
    }

    /** The caller a session acts as: the operator, or its key with the key's current scopes. */
    public static Principal principal(ConsoleSession session) {
        if (session.operator()) {
            return Principal.operatorKey();
        }
        return new Principal(false, session.keyId(), session.organizationId(), session.integrationId(), Set.copyOf(session.scopes()));
    }

    /**
     * The session cookie: sent back only to this origin's own requests (SameSite=Strict), never
     * readable by script (HttpOnly), over HTTPS only when the sign-in came over HTTPS.
     */
    public String cookie(String token, boolean secure) {
        return COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + (minutes * 60L) + (secure ? "; Secure" : "");
    }

    /** The cookie that clears it at sign-out. */
    public static String clearedCookie(boolean secure) {
        return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "");
    }

    /** The session token in a Cookie header, or null. */
    public static String tokenIn(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        for (String pair : cookieHeader.split(";")) {
            String p = pair.trim();
            if (p.startsWith(COOKIE + "=")) {
                String value = p.substring(COOKIE.length() + 1).trim();
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
