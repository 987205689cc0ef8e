// The API's docs (/api/docs): starts Swagger UI (served by the app from the swagger-ui-bundle-v2
// package) on the OpenAPI document the page names. A file rather than the usual inline script,
// so the page keeps the Content-Security-Policy of every page (script-src 'self').
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null, // the default asks validator.swagger.io about our document
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
