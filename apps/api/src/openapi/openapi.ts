import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type OperationObject } from '@nestjs/swagger';
import { ADMIN_TOKEN, schemaRef, USER_TOKEN } from './api-route.decorator';
import { componentSchemas } from './json-schema';
import { COMPONENT_SCHEMAS } from './schemas';

/** Swagger UI; its assets (swagger-ui-dist) are served from node_modules under this path too. */
export const DOCS_PATH = '/api/docs';
/** The document itself, at a path that stays put (clients and tools generate from it). */
export const DOCS_JSON_PATH = '/api/docs/openapi.json';

/**
 * The api's OpenAPI document: every route of the app as Nest registered it (controllers with their
 * @ApiRoute descriptions, the global prefix and its exclusions), the named schemas converted from
 * zod (./schemas.ts), and the operations routes that libs/observability serves (described here,
 * so that lib stays free of the api's documentation).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('chatstream api')
    .setDescription(
      'REST and admin routes of chatstream (PROTOCOL.md v1), through Nginx on :3001. ' +
        'Every error answer is JSON `{"error": {"code", "message"}}` with the status of its code; ' +
        'Nginx answers the same way when it refuses a request itself (400 malformed, 413 over 2 MB; the api takes JSON ' +
        'bodies up to 64 kB) and with 503 `unavailable` and `Retry-After` when the api cannot be reached. Any other path ' +
        'under /api/ or /admin/ answers 404 `not_found`. A 5xx other than 503 is a bug.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'the token of POST /api/auth/login' }, USER_TOKEN)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'the token of POST /admin/login (admin role)' }, ADMIN_TOKEN)
    .addTag('auth', 'sign in with a username')
    .addTag('rooms', 'rooms and their history')
    .addTag('admin', 'the running system, for an operator (503 when ADMIN_PASSWORD is not set)')
    .addTag('operations', 'health and metrics (every service serves them on its own port too)')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...componentSchemas(COMPONENT_SCHEMAS) } };
  describeOperationsRoutes(document);
  return document;
}

/** Serves Swagger UI at DOCS_PATH and the JSON at DOCS_JSON_PATH (nginx.conf's `location /api/` proxies both). */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'chatstream api',
    // The document is inlined in the page, so Swagger UI shows no online-validator badge; say so
    // anyway: nothing beyond this host is reachable where chatstream runs.
    swaggerOptions: { validatorUrl: null },
  });
}

/** /health, /health/live and /metrics (HealthModule and MetricsModule of libs/observability). */
function describeOperationsRoutes(document: OpenAPIObject): void {
  describeRoute(document, '/health', {
    summary: 'Readiness: MongoDB and Redis answer',
    responses: {
      // terminus's own @HealthCheck description gives the 200 body; the 503 is the api's error answer.
      ...operation(document, '/health').responses,
      '503': {
        description:
          '`unavailable`: MongoDB or Redis did not answer within 3 s (the answer does not say which). No Retry-After.',
        content: { 'application/json': { schema: schemaRef('UnavailableError') } },
      },
    },
  });
  describeRoute(document, '/health/live', {
    summary: 'Liveness: the process is up',
    responses: { '200': { description: 'always, while the process runs', content: { 'application/json': { schema: schemaRef('Liveness') } } } },
  });
  describeRoute(document, '/metrics', {
    summary: 'Prometheus metrics (text exposition format 0.0.4)',
    responses: { '200': { description: 'chat_* metrics and the default process metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
  });
}

function operation(document: OpenAPIObject, path: string): OperationObject {
  const found = document.paths[path]?.get;
  // The spec compares the document with the registered routes; this names the one that moved.
  if (!found) throw new Error(`OpenAPI: GET ${path} is not a route of the api any more: update describeOperationsRoutes`);
  return found;
}

function describeRoute(document: OpenAPIObject, path: string, details: Partial<OperationObject>): void {
  Object.assign(operation(document, path), { tags: ['operations'] }, details);
}
