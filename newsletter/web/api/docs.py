"""The API's interactive docs at ``/api/docs``: Swagger UI from the swagger-ui-bundle-v2 package
(the files of npm's swagger-ui-dist), served by the app itself rather than from a CDN, and
started by ``/static/api-docs.js`` rather than an inline script: the page needs nothing the
app's Content-Security-Policy (``script-src 'self'``) forbids."""

from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="{root}/docs/assets/favicon-32x32.png">
<script src="{root}/docs/assets/swagger-ui-bundle.js" defer></script>
<script src="/static/api-docs.js" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi-url="{root}{openapi_url}"></div>
</body>
</html>
"""


def add_docs(api: FastAPI) -> None:
    """Serve Swagger UI's files and the docs page on ``api`` (whose ``openapi_url`` it shows)."""
    api.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = escape(request.scope.get("root_path", ""))  # /api, where the web app mounts it
        return HTMLResponse(PAGE.format(title=escape(f"{api.title}: docs"), root=root, openapi_url=api.openapi_url))
