package io.mqttintegration.runtime.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * The web console's static files, read from this bundle's class path (routes/console.camel.yaml):
 * the pages under {@code console/}, uPlot's WebJar under {@code /console/lib/uplot/}, and Swagger UI's
 * WebJar under {@code /api/docs/} with our own initializer (the served OpenAPI document; a file,
 * because the console's Content-Security-Policy forbids inline script). The WebJars are embedded in
 * the bundle (Embed-Dependency), so the bundle's class loader sees them inside Karaf as in tests.
 * Nothing outside these folders is ever served: a path with {@code ..}, a backslash or an empty
 * segment is 404.
 */
public final class WebFiles {

    static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.35.0/";

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js",
            "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "json", "application/json", "png", "image/png",
            "svg", "image/svg+xml", "ico", "image/x-icon", "txt", "text/plain; charset=utf-8", "map", "application/json");

    private final boolean enabled;
    private final ClassLoader loader = WebFiles.class.getClassLoader();
    /** Files read once: they are the bundle's own and change only with it. */
    private final Map<String, WebFile> files = new ConcurrentHashMap<>();

    /** @param enabled console.enabled: when false everything here is 404 */
    public WebFiles(boolean enabled) {
        this.enabled = enabled;
    }

    /** Route step: the answer for a path under {@code /console}. */
    public WebFile console(@Header(Exchange.HTTP_PATH) String path) {
        if ("/console".equals(path)) {
            return enabled ? WebFile.redirect("console/") : WebFile.notFound();
        }
        String rest = after(path, "/console/");
        if (rest == null) {
            return WebFile.notFound();
        }
        if (rest.isEmpty()) {
            return file("console/index.html");
        }
        String lib = after("/" + rest, "/lib/uplot/");
        return file(lib != null ? UPLOT + lib : "console/" + rest);
    }

    /** Route step: the answer for a path under {@code /api/docs}. */
    public WebFile apiDocs(@Header(Exchange.HTTP_PATH) String path) {
        if ("/api/docs".equals(path)) {
            return enabled ? WebFile.redirect("docs/") : WebFile.notFound();
        }
        String rest = after(path, "/api/docs/");
        if (rest == null) {
            return WebFile.notFound();
        }
        if (rest.isEmpty()) {
            return file(SWAGGER_UI + "index.html");
        }
        return file(rest.equals("swagger-initializer.js") ? "apidocs/swagger-initializer.js" : SWAGGER_UI + rest);
    }

    private static String after(String path, String prefix) {
        return path != null && path.startsWith(prefix) ? path.substring(prefix.length()) : null;
    }

    private WebFile file(String resource) {
        if (!enabled || !safe(resource)) {
            return WebFile.notFound();
        }
        WebFile known = files.get(resource);
        if (known != null) {
            return known;
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return WebFile.notFound();
            }
            WebFile read = WebFile.of(type(resource), in.readAllBytes());
            files.put(resource, read);
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file name inside the folder: no parent, no empty or dot segment, no backslash, no folder. */
    static boolean safe(String resource) {
        if (resource.contains("\\") || resource.contains("//") || resource.endsWith("/") || resource.contains("%")) {
            return false;
        }
        for (String segment : resource.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    static String type(String resource) {
        int dot = resource.lastIndexOf('.');
        return dot < 0 ? "application/octet-stream" : TYPES.getOrDefault(resource.substring(dot + 1), "application/octet-stream");
    }
}
