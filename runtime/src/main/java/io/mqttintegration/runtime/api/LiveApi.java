package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.internals.ClosedResponses;
import io.mqttintegration.runtime.web.LiveStream;
import io.mqttintegration.runtime.web.LiveStreams;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * {@code GET /api/v1/integrations/{id}/live}: the integration's messages as they are committed, as
 * Server-Sent Events ({@link LiveStream}), until the client leaves. Another organization's
 * integration is 404 like a missing one.
 */
public final class LiveApi {

    private final IntegrationStore integrations;
    private final LiveStreams streams;

    public LiveApi(IntegrationStore integrations, LiveStreams streams) {
        this.integrations = integrations;
        this.streams = streams;
    }

    /** Route step: the stream becomes the answer's body. */
    public void open(Exchange exchange) {
        Request r = exchange.getProperty(Request.PROPERTY, Request.class);
        IntegrationRecord integration = r.integration(integrations);
        LiveStream stream = streams.open(integration.id());
        // Every way the answer ends forgets the stream: the exchange completes, or the client leaves
        // (the pump is then let go on, as for an export: ClosedResponses).
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                streams.closed(stream);
            }
        });
        if (exchange.getIn() instanceof HttpMessage http) {
            HttpServerResponse response = http.getResponse();
            response.closeHandler(v -> {
                streams.closed(stream);
                ClosedResponses.unblock(response);
            });
            if (response.closed()) {
                streams.closed(stream);
            }
        }
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setBody(stream);
        m.setHeader(Exchange.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        m.setHeader("Cache-Control", "no-cache");
        // Tells nginx-like proxies not to buffer the stream.
        m.setHeader("X-Accel-Buffering", "no");
    }
}
