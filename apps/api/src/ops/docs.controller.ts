import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../http/auth.guard.js';
import { OPENAPI_DOCUMENT } from './openapi.js';

/** Swagger UI's assets are served from the swagger-ui-dist package under /docs/assets (see bootstrap). */
const DOCS_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Airlock API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script>
</body></html>`;

@Controller()
@Public()
export class DocsController {
  @Get('openapi.json')
  openapi() {
    return OPENAPI_DOCUMENT;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  docs() {
    return DOCS_HTML;
  }
}
