package io.mqttintegration.runtime.console;

import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.integrations.BrokerSettings;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.mqtt.ConnectionTester;
import io.mqttintegration.runtime.subscriptions.SubscriptionStatus;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The console's answers about integrations and their subscriptions ({@code mqtt:integration-list},
 * {@code mqtt:integration-test}, {@code mqtt:subscription-list}).
 */
record IntegrationAnswers(IntegrationStore integrations, IntegrationTargets targets, ConnectionTester tester, ActivityLog activity, Subscriptions running) {

    /** mqtt:integration-list: integrations of every organization (or one), with their subscription state. */
    public ConsoleAnswer integrations(UUID organizationId) {
        ConsoleTable table = new ConsoleTable("ID", "ORGANIZATION", "NAME", "BROKER", "ENABLED", "SUBSCRIPTION");
        Map<UUID, SubscriptionStatus> statuses = running().statuses();
        for (IntegrationRecord r : integrations().listAll(organizationId, 10_000)) {
            SubscriptionStatus s = statuses.get(r.id());
            table.row(r.id(), r.organizationId(), r.name(), broker(r), r.enabled(),
                    s == null ? null : s.state().name().toLowerCase(Locale.ROOT));
        }
        return ConsoleAnswer.of(table);
    }

    public List<String> integrationIds() {
        return integrations().listAll(null, 10_000).stream().map(r -> r.id().toString()).toList();
    }

    private static String broker(IntegrationRecord r) {
        try {
            BrokerSettings s = BrokerSettings.fromStored(r.settingsJson(), Map.of());
            return s.protocolOrDefault() + "://" + s.host() + ":" + s.portOrDefault();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** mqtt:integration-test: the connection test of the API, recorded in the activity log (actor console). */
    public ConsoleAnswer test(UUID integrationId) {
        IntegrationRecord r = integrations().find(integrationId)
                .orElseThrow(() -> new IllegalArgumentException("no integration " + integrationId));
        Map<String, Object> report = tester().test(targets().target(r, "-test"));
        boolean ok = Boolean.TRUE.equals(report.get("ok"));
        activity().record(r.organizationId(), r.id(), null, "console", "integration.tested", ok ? "ok" : "error",
                detail(report));
        ConsoleTable steps = new ConsoleTable("STEP", "OK", "MS", "DETAIL");
        for (Object o : (List<?>) report.get("steps")) {
            Map<?, ?> step = (Map<?, ?>) o;
            steps.row(step.get("step"), step.get("ok"), step.get("ms"), step.get("detail"));
        }
        return new ConsoleAnswer((ok ? "ok" : "failed: " + report.get("error")) + " in " + report.get("latencyMs") + " ms ("
                + broker(r) + ")\n", steps, "");
    }

    private static String detail(Map<String, Object> report) {
        Map<String, Object> detail = new TreeMap<>();
        detail.put("latencyMs", report.get("latencyMs"));
        if (report.containsKey("error")) {
            detail.put("error", report.get("error"));
        }
        try {
            return Json.strict().writeValueAsString(detail);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** mqtt:subscription-list: every subscription this node runs. */
    public ConsoleAnswer subscriptions() {
        ConsoleTable table = new ConsoleTable("INTEGRATION", "STATE", "CONNECTED SINCE", "RECEIVED", "STORED", "FAILED", "TOPICS", "LAST ERROR");
        new TreeMap<>(running().statuses()).forEach((id, s) -> {
            Map<String, Object> v = s.view();
            table.row(id, v.get("state"), v.get("connectedSince"), v.get("received"), v.get("stored"), v.get("failed"),
                    String.join(" ", s.topics()), v.get("lastError") == null ? null : v.get("lastErrorAt") + ": " + v.get("lastError"));
        });
        return ConsoleAnswer.of(table);
    }
}
