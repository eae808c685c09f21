package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.routes.RouteFileDeployer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;

/**
 * {@code GET /api/v1/route-files} (operator): the route files this node runs, their routes, when each
 * was loaded, and why a file's latest content was refused (its last good version keeps running).
 */
public final class RouteFilesApi {

    private final RouteFileDeployer deployer;

    public RouteFilesApi(RouteFileDeployer deployer) {
        this.deployer = deployer;
    }

    public Map<String, Object> list(@ExchangeProperty(Request.PROPERTY) Request request) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (RouteFileDeployer.FileState f : deployer.states()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("file", f.file());
            item.put("routeIds", f.routeIds());
            item.put("loadedAt", f.loadedAt() == null ? null : f.loadedAt().toString());
            item.put("lastError", f.lastError());
            items.add(item);
        }
        return Map.of("items", items);
    }
}
