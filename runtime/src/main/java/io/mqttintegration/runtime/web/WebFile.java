package io.mqttintegration.runtime.web;

import java.nio.charset.StandardCharsets;

/**
 * One answer of the console's static files: a file, a redirect to the folder's own URL, or 404 JSON.
 *
 * @param location where a redirect points (relative to the request), else null
 */
public record WebFile(int status, String contentType, byte[] bytes, String location) {

    static WebFile of(String contentType, byte[] bytes) {
        return new WebFile(200, contentType, bytes, null);
    }

    /** To the same path with a slash: the pages' relative links resolve inside the folder. */
    static WebFile redirect(String location) {
        return new WebFile(301, "text/plain", new byte[0], location);
    }

    static WebFile notFound() {
        return new WebFile(404, "application/json",
                "{\"error\":\"not_found\",\"detail\":\"no such file\"}".getBytes(StandardCharsets.UTF_8), null);
    }
}
