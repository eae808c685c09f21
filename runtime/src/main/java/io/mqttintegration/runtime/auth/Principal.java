package io.mqttintegration.runtime.auth;

import io.mqttintegration.runtime.http.ApiException;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling: the operator (may do everything), or an organization's API key with its scopes
 * and, optionally, the integration it is bound to. Another organization's resource is answered
 * 404 exactly like a missing one, so keys learn nothing about other tenants.
 */
public record Principal(boolean operator, UUID keyId, UUID organizationId, UUID integrationId, Set<String> scopes) {

    public static final String PROPERTY = "mqi.principal";
    public static final Set<String> SCOPES = Set.of("admin", "ingest", "read");

    public static Principal operatorKey() {
        return new Principal(true, null, null, null, SCOPES);
    }

    /** Who to write in the activity log. */
    public String actor() {
        return operator ? "operator" : "key:" + keyId;
    }

    public void requireOperator() {
        if (!operator) {
            throw new ApiException(403, "forbidden", "only the operator key may do this");
        }
    }

    /** The caller's scope; the operator has them all. {@code read} is implied by {@code admin}. */
    public void requireScope(String scope) {
        if (operator || scopes.contains(scope) || (scope.equals("read") && scopes.contains("admin"))) {
            return;
        }
        throw new ApiException(403, "forbidden", "this key lacks the scope '" + scope + "'");
    }

    /**
     * The organization a request about {@code requested} acts in: the key's own (anything else is
     * 404), or for the operator the one it names.
     */
    public UUID organization(UUID requested) {
        if (operator || requested.equals(organizationId)) {
            return requested;
        }
        throw ApiException.notFound("organization");
    }

    /** The organization of an organization-scoped request (integrations): the key's own; the operator names one. */
    public UUID ownOrganization(UUID operatorChoice) {
        if (!operator) {
            return organizationId;
        }
        if (operatorChoice == null) {
            throw new ApiException(400, "missing_field",
                    "the operator key acts for an organization: add ?organizationId=<id>", "organizationId");
        }
        return operatorChoice;
    }
}
