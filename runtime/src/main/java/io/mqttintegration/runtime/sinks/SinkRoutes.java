package io.mqttintegration.runtime.sinks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;

/**
 * One route per sink this node delivers, made from its kind's template ({@code sink-<kind>}) with
 * the sink's settings (secrets opened) as parameters and route id {@code sink-<sink id>}. The route
 * must consume {@code direct:sink-{{sinkId}}}: the dispatcher sends each message there and reads the
 * outcome of the exchange (an exception, or a receiver's refusal turned into one, is a failed delivery).
 */
final class SinkRoutes {

    private final CamelContext context;

    SinkRoutes(CamelContext context) {
        this.context = context;
    }

    static String routeId(UUID sinkId) {
        return SinkKinds.PREFIX + sinkId;
    }

    static String endpoint(UUID sinkId) {
        return "direct:" + routeId(sinkId);
    }

    /** The template a kind's routes are made from now (a reloaded file gives a new one). */
    RouteTemplateDefinition template(String kind) {
        return ((ModelCamelContext) context).getRouteTemplateDefinition(SinkKinds.PREFIX + kind);
    }

    /**
     * Adds the sink's route (replacing one of the same id).
     *
     * @throws IllegalArgumentException no template of that kind, or one whose route does not consume the sink's endpoint
     */
    void add(UUID sinkId, String routeId, String kind, Map<String, String> settings) throws Exception {
        if (template(kind) == null) {
            throw new IllegalArgumentException("no sink template sink-" + kind + " in the routes folder");
        }
        remove(routeId);
        Map<String, Object> parameters = new LinkedHashMap<>(settings);
        parameters.put(SinkKinds.SINK_ID, sinkId.toString());
        context.addRouteFromTemplate(routeId, SinkKinds.PREFIX + kind, parameters);
        Route route = context.getRoute(routeId);
        String expected = "direct://" + SinkKinds.PREFIX + sinkId;
        if (route == null || !expected.equals(route.getEndpoint().getEndpointUri())) {
            remove(routeId);
            throw new IllegalArgumentException("template sink-" + kind + " must consume from direct:sink-{{sinkId}}");
        }
    }

    void remove(String routeId) throws Exception {
        if (context.getRoute(routeId) != null) {
            context.getRouteController().stopRoute(routeId);
            context.removeRoute(routeId);
        }
    }
}
