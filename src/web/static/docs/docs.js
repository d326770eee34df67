// Starts Swagger UI (swagger-ui-bundle.js, served from here) on this app's schema.
// A file of its own: the pages' Content-Security-Policy runs no inline script.
"use strict";
(() => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.schema,
    domNode: root,
    deepLinking: true,
    // The default sends the schema to an outside validator for a badge.
    validatorUrl: null,
    displayOperationId: true,
    defaultModelsExpandDepth: 0,
  });
})();
