package io.mqttintegration.runtime.sinks;

import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The receiver URL of a webhook sink ({@code url} of routes/sink-webhook.camel.yaml, which sends to
 * {@code vertx-http:{{url}}} with its options after a {@code ?}): {@code http://} or {@code https://}
 * with a host, no user info, no fragment and no query. A query would not reach the receiver as sent:
 * the template's {@code ?timeout=...} would be appended to its last value, and Camel would take any of
 * its parameters that names an option of the endpoint as that option ({@code ?proxyHost=} would send
 * the requests elsewhere than the host checked here). Its host must pass the brokers' target guard
 * ({@link BrokerTargets}: no loopback, private, link-local or metadata address unless the operator
 * allowed it).
 */
public final class WebhookUrls {

    /** The settings key of the receiver. */
    public static final String URL = "url";

    private WebhookUrls() {
    }

    /** Why the URL cannot be a webhook receiver's (the text follows the field's name), or null when it can. */
    public static String malformed(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a URL (" + e.getReason() + ")";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getHost().isEmpty()) {
            return "must be an http:// or https:// URL with a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry user info (user:password@): it would be shown with the sink's settings";
        }
        if (uri.getRawFragment() != null) {
            return "must not have a fragment (#...)";
        }
        if (uri.getRawQuery() != null) {
            return "must not have a query (?...): the webhook's HTTP client takes its own options there; put a token in the path";
        }
        return null;
    }

    /**
     * Whether the guard lets the service connect to the URL's host and port (every address its name
     * resolves to now). A name that does not resolve is refused too.
     */
    public static boolean allowed(String url, BrokerTargets guard) {
        URI uri = URI.create(url);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        try {
            guard.resolve(host, port);
            return true;
        } catch (BrokerException refused) {
            return false;
        }
    }
}
