package io.mqttintegration.runtime.auth;

import io.mqttintegration.runtime.cache.ExpiringCache;
import io.mqttintegration.runtime.config.ConsoleConfig;
import io.mqttintegration.runtime.config.SecurityConfig;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.routes.ApiOperations;
import io.mqttintegration.security.ApiKeys;
import io.mqttintegration.security.OperatorKey;
import io.mqttintegration.security.ServerSecrets;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ApiKeyStore;
import io.mqttintegration.storage.tenants.ConsoleSessionStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.spi.Registry;

/**
 * Authentication's wiring: the server's secrets, the operator key, the API keys, the web console's
 * sessions, and the bean {@code auth}.
 */
public final class AuthWiring {

    /** Keys (or integrations) kept per cache; beyond, expired entries go first. */
    public static final int CACHE_ENTRIES = 100_000;

    /** What the other areas need: the secrets (sealing, hashing), the keys, and how a request is authenticated. */
    /** @param sessions the console's sessions; null when console.enabled is false */
    public record Parts(ServerSecrets secrets, ApiKeys apiKeys, ApiKeyStore keys, LiveKeys liveKeys, Authenticator authenticator,
            ConsoleSessions sessions) {
    }

    private AuthWiring() {
    }

    public static Parts wire(Registry registry, SecurityConfig security, ConsoleConfig console, Tenancy tenancy, ApiOperations operations)
            throws IOException {
        Path securityDir = security.dir();
        ServerSecrets secrets = ServerSecrets.load(securityDir.resolve("secrets"), security.masterKey(), security.keyHashSecret());
        ApiKeys apiKeys = new ApiKeys(secrets.hashKey());
        OperatorKey operatorKey = OperatorKey.load(apiKeys, security.operatorKey(),
                securityDir.resolve("operator.key"), securityDir.resolve("secrets/operator.key.hash"));
        ApiKeyStore keys = new ApiKeyStore(tenancy);
        LiveKeys liveKeys = new LiveKeys(keys, new ExpiringCache<>(cacheTime(security), CACHE_ENTRIES, System::nanoTime));
        ConsoleSessions sessions = console.enabled()
                ? new ConsoleSessions(new ConsoleSessionStore(tenancy), apiKeys, console.sessionMinutes()) : null;
        Authenticator authenticator = new Authenticator(operatorKey, apiKeys, liveKeys,
                new RateLimiter<>(security.authFailuresPerMinute()), operations, sessions);
        registry.bind("auth", authenticator);
        return new Parts(secrets, apiKeys, keys, liveKeys, authenticator, sessions);
    }

    /**
     * How long keys and integrations read per request are kept (at most 1 s): a key revoked or an
     * integration deleted through another node is refused within that time.
     */
    public static Duration cacheTime(SecurityConfig security) {
        return Duration.ofMillis(security.keyCacheMillis());
    }
}
