package io.mqttintegration.runtime.integrations;

import com.fasterxml.jackson.core.type.TypeReference;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.security.SecretBox;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** An integration's secrets as one sealed JSON object, bound to its organization. */
public final class SealedSecrets {

    private final SecretBox box;

    public SealedSecrets(SecretBox box) {
        this.box = box;
    }

    public byte[] seal(Map<String, String> secrets, UUID organizationId) {
        if (secrets.isEmpty()) {
            return null;
        }
        try {
            return box.seal(Json.strict().writeValueAsString(new TreeMap<>(secrets)), organizationId.toString());
        } catch (Exception e) {
            throw new IllegalStateException("secrets could not be sealed", e);
        }
    }

    public Map<String, String> open(byte[] sealed, UUID organizationId) {
        if (sealed == null) {
            return Map.of();
        }
        try {
            return Json.strict().readValue(box.open(sealed, organizationId.toString()), new TypeReference<Map<String, String>>() { });
        } catch (SecretBox.SecretBoxException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("sealed secrets are not readable", e);
        }
    }
}
