package io.mqttintegration.runtime.sinks;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;

/**
 * The kinds of sink there are: every route template whose id is {@code sink-<kind>}, from the route
 * files of the folder (routes/sink-*.camel.yaml ship webhook, mqtt and kafka; an integrator adds a
 * kind by dropping a template file there, and it is usable as soon as the file is loaded). A
 * template's parameters are its contract: what a sink of that kind sets in {@code settings}.
 */
public final class SinkKinds {

    /** Template ids of sinks start with this. */
    public static final String PREFIX = "sink-";
    /** The parameter the service fills in itself: the sink's id (its route consumes {@code direct:sink-{{sinkId}}}). */
    public static final String SINK_ID = "sinkId";
    /**
     * A parameter a template may declare for the service rather than its route: the sink's deliveries
     * in flight at once (one device's messages still go one after another), 1 to {@value #MAX_CONCURRENCY};
     * without it, {@code sinks.concurrency}. The Kafka template declares 128: a producer batches what is
     * in flight, so more in flight is faster and costs less CPU per record.
     */
    public static final String CONCURRENCY = "concurrency";
    public static final int MAX_CONCURRENCY = 1_000;

    /** A {@value #CONCURRENCY} value: a whole number from 1 to {@value #MAX_CONCURRENCY}, else empty. */
    public static OptionalInt concurrency(String value) {
        if (value == null || !value.matches("[0-9]{1,4}")) {
            return OptionalInt.empty();
        }
        int n = Integer.parseInt(value);
        return n >= 1 && n <= MAX_CONCURRENCY ? OptionalInt.of(n) : OptionalInt.empty();
    }

    /**
     * A sink's own route ({@code sink-<sink id>}), not a template: one per sink, counted by the sink's
     * meters ({@code mqi_sink_*}) rather than Camel's route policy, whose per-exchange timer and
     * counters cost a delivery as much as signing it.
     */
    public static boolean isSinkRoute(String routeId) {
        if (routeId == null || !routeId.startsWith(PREFIX) || routeId.length() != PREFIX.length() + 36) {
            return false;
        }
        try {
            UUID.fromString(routeId.substring(PREFIX.length()));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A parameter of a kind's template.
     *
     * @param secret its value is sealed at rest and never shown by the API: a name ending in
     *               {@code password}, {@code secret} or {@code token} (any case)
     */
    public record Param(String name, boolean required, String defaultValue, String description, boolean secret) {
    }

    /** A kind of sink: its template's id without the prefix, and the parameters a sink sets. */
    public record Kind(String name, String description, List<Param> params) {

        public Optional<Param> param(String name) {
            return params.stream().filter(p -> p.name().equals(name)).findFirst();
        }
    }

    private final CamelContext context;

    public SinkKinds(CamelContext context) {
        this.context = context;
    }

    public Optional<Kind> kind(String name) {
        RouteTemplateDefinition template = ((ModelCamelContext) context).getRouteTemplateDefinition(PREFIX + name);
        return Optional.ofNullable(template).map(SinkKinds::kind);
    }

    /** Every kind there is, by name. */
    public List<Kind> all() {
        return ((ModelCamelContext) context).getRouteTemplateDefinitions().stream()
                .filter(t -> t.getId() != null && t.getId().startsWith(PREFIX)).map(SinkKinds::kind)
                .sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    static boolean isSecret(String parameter) {
        String n = parameter.toLowerCase(Locale.ROOT);
        return n.endsWith("password") || n.endsWith("secret") || n.endsWith("token");
    }

    private static Kind kind(RouteTemplateDefinition t) {
        List<Param> params = t.getTemplateParameters() == null ? List.of() : t.getTemplateParameters().stream()
                .filter(p -> !SINK_ID.equals(p.getName())).map(SinkKinds::param).toList();
        String description = t.getDescription();
        return new Kind(t.getId().substring(PREFIX.length()), description, params);
    }

    private static Param param(RouteTemplateParameterDefinition p) {
        // A parameter without a default is required unless it says otherwise (Camel's own rule).
        boolean required = p.getDefaultValue() == null && p.isRequired();
        return new Param(p.getName(), required, p.getDefaultValue(), p.getDescription(), isSecret(p.getName()));
    }
}
