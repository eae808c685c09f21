// Swagger UI on this service's own OpenAPI document (served at /api/docs/ from the swagger-ui
// WebJar). A file, not an inline script: the page's Content-Security-Policy allows only 'self'.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: new URL('../v1/openapi.json', window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout'
  });
};
