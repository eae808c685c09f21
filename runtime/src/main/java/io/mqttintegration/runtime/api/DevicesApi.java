package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.storage.presence.DeviceStore;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;

/**
 * {@code /api/v1/devices} and {@code /api/v1/devices/{id}}: the caller's organization's devices as
 * presence keeps them (scope read): online or offline since when and why, last seen, and the node and
 * connection of a hosted device; one device with its newest transitions. It only reads what the
 * presence engine writes (docs/devices.md).
 */
public final class DevicesApi {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;
    static final int DEFAULT_TRANSITIONS = 50;
    /** As many as presence keeps per device by default (presence.historyPerDevice), and a little more. */
    static final int MAX_TRANSITIONS = 500;
    static final Set<String> STATES = Set.of("online", "offline");

    private final DeviceStore store;
    private final IntegrationStore integrations;

    public DevicesApi(DeviceStore store, IntegrationStore integrations) {
        this.store = store;
        this.integrations = integrations;
    }

    /** A page of devices in (integration, device id) order: {@code {items, next}}, next null on the last page. */
    public Map<String, Object> list(@ExchangeProperty(Request.PROPERTY) Request r) {
        UUID org = r.organization();
        DeviceStore.Filter filter = new DeviceStore.Filter(integration(r, org), state(r), TelemetryApi.text(r, "q"));
        int limit = Fields.limit(r.param("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        List<DeviceStore.Device> rows = store.list(org, filter, DeviceCursors.parse(r.param("cursor")), limit + 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (DeviceStore.Device d : rows.subList(0, Math.min(limit, rows.size()))) {
            items.add(view(d));
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("items", items);
        reply.put("next", rows.size() > limit ? DeviceCursors.after(rows.get(limit - 1)) : null);
        return reply;
    }

    /** One device and its newest transitions ({@code limit}, default 50), newest first. */
    public Map<String, Object> get(@ExchangeProperty(Request.PROPERTY) Request r) {
        UUID org = r.organization();
        UUID id = r.id("id", "device");
        int limit = Fields.limit(r.param("limit"), DEFAULT_TRANSITIONS, MAX_TRANSITIONS);
        DeviceStore.WithTransitions found = store.withTransitions(org, id, limit).orElseThrow(() -> ApiException.notFound("device"));
        Map<String, Object> reply = view(found.device());
        List<Map<String, Object>> transitions = new ArrayList<>();
        for (DeviceStore.Transition t : found.transitions()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", t.id().toString());
            v.put("state", t.state());
            v.put("reason", t.reason());
            v.put("node", t.node());
            v.put("at", t.at().toString());
            v.put("details", IntegrationsApi.parse(t.detailsJson()));
            transitions.add(v);
        }
        reply.put("transitions", transitions);
        return reply;
    }

    static Map<String, Object> view(DeviceStore.Device d) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", d.id().toString());
        v.put("integrationId", d.integrationId().toString());
        v.put("deviceId", d.deviceId());
        v.put("state", d.state());
        v.put("since", time(d.since()));
        v.put("reason", d.reason());
        v.put("lastSeen", time(d.lastSeen()));
        v.put("lastSource", d.lastSource());
        v.put("node", d.node());
        v.put("clientId", d.clientId());
        v.put("remoteAddress", d.remoteAddress());
        return v;
    }

    private UUID integration(Request r, UUID org) {
        String value = r.param("integrationId");
        if (value == null || value.isEmpty()) {
            return null;
        }
        UUID id = Fields.uuid(value, "integrationId");
        if (integrations.get(org, id).isEmpty()) {
            throw new ApiException(404, "not_found", "no such integration", "integrationId");
        }
        return id;
    }

    private static String state(Request r) {
        String v = r.param("state");
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (!STATES.contains(v)) {
            throw new ApiException(400, "invalid_parameter", "state must be online or offline", "state");
        }
        return v;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
