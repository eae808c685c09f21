package io.mqttintegration.runtime.internals;

import io.vertx.core.http.HttpServerResponse;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets Camel's pump finish a streamed answer whose client has gone. Camel 4.14 sends an InputStream
 * body through a Vert.x {@code Pump}: it pauses reading while the response's write queue is full and
 * resumes from the response's drain handler. Vert.x 4.5 marks an HTTP/1.x response unwritable when
 * its queue fills and marks it writable again only when the queue drains, which never happens once
 * the client has closed the connection: the pump, the stream and the exchange would wait forever
 * (an exchange in flight per client that left mid-export). {@link #unblock} does what Vert.x does
 * when a queue drains (its package-private {@code handleWritabilityChanged(true)}): the pump reads
 * on, the stream (stopped by then) ends, and Camel completes the exchange.
 *
 * <p>Upstream: Vert.x 4.5.18 {@code Http1xServerResponse} (package-private writability handling) with
 * Camel 4.14.0 platform-http-vertx's {@code Pump}; no issue filed. Re-check on a Vert.x or Camel
 * upgrade ({@code UpstreamVersionsTest} fails then, and also when the method is gone).
 */
public final class ClosedResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ClosedResponses.class);
    private static final Method WRITABILITY_CHANGED = find();

    private ClosedResponses() {
    }

    /** Call on the response's event loop after its connection closed; false if this Vert.x has no such method. */
    public static boolean unblock(HttpServerResponse response) {
        if (WRITABILITY_CHANGED == null || !WRITABILITY_CHANGED.getDeclaringClass().isInstance(response)) {
            return false;
        }
        try {
            WRITABILITY_CHANGED.invoke(response, true);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Could not resume the answer of a closed connection: {}", e.toString());
            return false;
        }
    }

    /** Whether this Vert.x still has the method {@link #unblock} calls. */
    static boolean available() {
        return WRITABILITY_CHANGED != null;
    }

    private static Method find() {
        try {
            Method m = Class.forName("io.vertx.core.http.impl.Http1xServerResponse").getDeclaredMethod("handleWritabilityChanged",
                    boolean.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("This Vert.x has no Http1xServerResponse.handleWritabilityChanged(boolean): a streamed answer whose client"
                    + " left while its write queue was full stays in flight ({})", e.toString());
            return null;
        }
    }
}
