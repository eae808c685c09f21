package io.mqttintegration.storage.tenants;

import java.util.UUID;

/** A device credential as the hosted broker checks it at CONNECT: whose it is, its stored hash, revoked or not. */
public record DeviceCredential(UUID id, UUID organizationId, UUID integrationId, String passwordHash, boolean revoked) {

    @Override
    public String toString() {
        return "DeviceCredential[" + id + ", organization " + organizationId + ", integration " + integrationId
                + (revoked ? ", revoked" : "") + "]"; // never the hash
    }
}
