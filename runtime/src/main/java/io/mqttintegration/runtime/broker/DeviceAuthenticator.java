package io.mqttintegration.runtime.broker;

import io.mqttintegration.spi.broker.DeviceNamespace;
import io.mqttintegration.spi.broker.DeviceIdentity;
import io.mqttintegration.security.DevicePasswords;
import io.mqttintegration.storage.tenants.CredentialStore;
import io.mqttintegration.storage.tenants.DeviceCredential;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a device's username and password at CONNECT against the credentials the API generated
 * (one indexed query, one HMAC). Revoked credentials are refused. A credential still hashed with
 * PBKDF2 (made before the hosted broker) is verified once the slow way and rehashed with the keyed hash.
 */
public final class DeviceAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceAuthenticator.class);

    private final CredentialStore credentials;
    private final DevicePasswords passwords;

    public DeviceAuthenticator(CredentialStore credentials, DevicePasswords passwords) {
        this.credentials = credentials;
        this.passwords = passwords;
    }

    /** The device, or empty for an unknown username, a wrong password or a revoked credential. */
    public Optional<DeviceIdentity> authenticate(String username, String password) {
        if (!DeviceNamespace.isValidUsername(username) || password == null || password.isEmpty()) {
            return Optional.empty();
        }
        Optional<DeviceCredential> found = credentials.device(username);
        if (found.isEmpty() || found.get().revoked()) {
            return Optional.empty();
        }
        DeviceCredential credential = found.get();
        switch (passwords.check(password, credential.passwordHash())) {
            case WRONG:
                return Optional.empty();
            case LEGACY:
                boolean replaced = credentials.rehash(credential, passwords.hash(password));
                LOG.info("Device credential {} rehashed from PBKDF2 to the keyed hash ({})", username,
                        replaced ? "done" : "changed meanwhile, left alone");
                break;
            case MATCH:
            default:
                break;
        }
        return Optional.of(new DeviceIdentity(username, credential.id(), credential.organizationId(), credential.integrationId()));
    }

    /** How device passwords are hashed (the API hashes the ones it generates with it). */
    public DevicePasswords passwords() {
        return passwords;
    }

    /** Who a username belongs to, revoked or not: whose the messages it published before are. */
    public Optional<DeviceIdentity> owner(String username) {
        return credentials.device(username)
                .map(c -> new DeviceIdentity(username, c.id(), c.organizationId(), c.integrationId()));
    }
}
