import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { HTTP_STATUS } from '@app/contracts';
import { createApiHttpAdapter } from '../http/api-http-adapter';
import { usePublicPaths } from '../http/public-paths';
import { ADMIN_TOKEN, USER_TOKEN } from './api-route.decorator';
import { buildOpenApiDocument, DOCS_JSON_PATH, DOCS_PATH, serveOpenApi } from './openapi';
import { REST_ERRORS, type ErrorStatus } from './schemas';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
/** What needs no token: the two sign-ins and the operations routes. */
const OPEN = ['POST /api/auth/login', 'POST /admin/login', 'GET /health', 'GET /health/live', 'GET /metrics'];

/** What Fastify tells an `onRoute` hook of each route it registers. */
interface FastifyRoute {
  method: string | string[];
  url: string;
}

/**
 * The real api: ApiModule as main.ts sets it up, in Nest's preview mode, which builds the module
 * graph and registers the routes without instantiating a provider, so nothing connects to Kafka,
 * MongoDB or Redis (no service is needed: a unit test).
 */
async function createApi(): Promise<INestApplication> {
  // ApiModule reads the environment when it is imported (ConfigModule.forRoot), and JWT_SECRET has
  // no default; jest gives each test file its own copy of process.env.
  process.env.JWT_SECRET = 'openapi-spec-secret-never-used';
  const { ApiModule } = await import('../api.module');
  return NestFactory.create(ApiModule, createApiHttpAdapter(() => 1), { preview: true, logger: false, bodyParser: false });
}

/**
 * Records "METHOD /path" of every route Fastify registers from now on (`:id` written `{id}`), Swagger
 * UI's own and the HEAD routes Fastify adds for each GET left out.
 */
function recordRoutes(app: INestApplication): string[] {
  const routes: string[] = [];
  const fastify = app.getHttpAdapter().getInstance() as { addHook(name: 'onRoute', hook: (route: FastifyRoute) => void): void };
  fastify.addHook('onRoute', ({ method, url }) => {
    for (const m of [method].flat()) {
      if (m !== 'HEAD' && !url.startsWith(DOCS_PATH)) routes.push(`${m} ${url.replace(/:(\w+)/g, '{$1}')}`);
    }
  });
  return routes;
}

function operations(document: OpenAPIObject): [string, OperationObject][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] ? [[`${method.toUpperCase()} ${path}`, item[method]] as [string, OperationObject]] : [])),
  );
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => (key === '$ref' && typeof item === 'string' ? [item] : refsIn(item)));
}

describe('the OpenAPI document of the api', () => {
  let app: INestApplication;
  let sut: OpenAPIObject;
  let registered: string[];

  beforeAll(async () => {
    app = await createApi();
    registered = recordRoutes(app);
    usePublicPaths(app);
    sut = buildOpenApiDocument(app);
    serveOpenApi(app, sut);
    await app.init();
  });

  afterAll(() => app.close());

  it('describes exactly the routes the api registers: none missing, none that does not exist', () => {
    const documented = operations(sut).map(([route]) => route).sort();
    expect(documented).toEqual([...new Set(registered)].sort());
  });

  it('covers every route PROTOCOL.md lists', () => {
    const protocol = [
      'POST /api/auth/login',
      'GET /api/rooms',
      'GET /api/rooms/{roomId}',
      'GET /api/rooms/{roomId}/messages',
      'GET /health',
      'POST /admin/login',
      'GET /admin/servers',
      'GET /admin/clients',
      'GET /admin/clients/{id}',
      'GET /admin/rooms',
      'GET /admin/rooms/{id}',
      'DELETE /admin/rooms/{id}',
      'DELETE /admin/clients/{id}',
      'POST /admin/clients/{id}/ban',
      'DELETE /admin/clients/{id}/ban',
    ];
    expect(operations(sut).map(([route]) => route)).toEqual(expect.arrayContaining(protocol));
  });

  it('asks for a user token on /api routes, an admin token on /admin routes, and none to sign in or for operations', () => {
    for (const [route, operation] of operations(sut)) {
      const needed = OPEN.includes(route) ? undefined : route.includes(' /admin/') ? ADMIN_TOKEN : USER_TOKEN;
      expect({ route, security: operation.security }).toEqual({ route, security: needed ? [{ [needed]: [] }] : undefined });
      if (needed) expect({ route, has401: '401' in operation.responses }).toEqual({ route, has401: true });
    }
  });

  it('says what every route does, its success answer (JSON but for /metrics) and only protocol error answers, each with its code', () => {
    for (const [route, operation] of operations(sut)) {
      const statuses = Object.keys(operation.responses);
      const ok = operation.responses['200'] as ResponseObject | undefined;
      expect({ route, summary: Boolean(operation.summary), ok: Object.keys(ok?.content ?? {}) }).toEqual({
        route,
        summary: true,
        ok: [route === 'GET /metrics' ? 'text/plain' : 'application/json'],
      });
      for (const status of statuses.filter((s) => s !== '200')) {
        const response = operation.responses[status] as ResponseObject;
        expect({ route, status, known: status in REST_ERRORS }).toEqual({ route, status, known: true });
        const code = REST_ERRORS[Number(status) as ErrorStatus];
        const schema = sut.components!.schemas![refsIn(response.content)[0]!.split('/').pop()!] as { properties: { error: { properties: { code: { enum: string[] } } } } };
        expect({ route, status, codes: schema.properties.error.properties.code.enum }).toEqual({ route, status, codes: [code] });
      }
    }
  });

  it('maps each error status to the code PROTOCOL.md gives it', () => {
    for (const [status, code] of Object.entries(REST_ERRORS)) expect(HTTP_STATUS[code]).toBe(Number(status));
  });

  it('sends Retry-After with every 429 and with each 503 of the /api and /admin routes', () => {
    for (const [route, operation] of operations(sut)) {
      for (const status of ['429', '503'].filter((s) => s in operation.responses)) {
        if (route === 'GET /health') continue; // readiness: a probe polls anyway, the api sends none
        const { headers } = operation.responses[status] as ResponseObject;
        expect({ route, status, retryAfter: headers && 'Retry-After' in headers }).toEqual({ route, status, retryAfter: true });
      }
    }
  });

  it('documents the history paging parameters with the bounds the api enforces', () => {
    const parameters = sut.paths['/api/rooms/{roomId}/messages']!.get!.parameters as ParameterObject[];
    const byName = Object.fromEntries(parameters.map((p) => [p.name, { in: p.in, required: p.required, schema: p.schema }]));
    expect(byName).toEqual({
      roomId: { in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
      limit: { in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } },
      before: { in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', minimum: 0 }) },
      after: { in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', minimum: 0 }) },
    });
  });

  it('describes request bodies with the validation schemas of libs/contracts', () => {
    const body = (route: string) => refsIn((operations(sut).find(([r]) => r === route)![1]).requestBody);
    expect(body('POST /api/auth/login')).toEqual(['#/components/schemas/LoginRequest']);
    expect(body('POST /admin/login')).toEqual(['#/components/schemas/AdminLoginRequest']);
    expect(body('POST /admin/clients/{id}/ban')).toEqual(['#/components/schemas/BanRequest']);
    expect(sut.components!.schemas!.LoginRequest).toEqual({
      type: 'object',
      properties: { username: expect.objectContaining({ type: 'string', minLength: 1, maxLength: 32, pattern: expect.any(String) }) },
      required: ['username'],
      additionalProperties: false,
    });
    expect(sut.components!.schemas!.BanRequest).toMatchObject({ properties: { seconds: { type: 'integer', minimum: 1, maximum: 31536000 } } });
  });

  it('refers only to schemas it defines, by name', () => {
    const names = Object.keys(sut.components!.schemas!);
    for (const ref of refsIn(sut)) expect(names.map((n) => `#/components/schemas/${n}`)).toContain(ref);
  });

  describe('served by the api', () => {
    let base: string;

    beforeAll(async () => {
      // Straight through Fastify: Nest's preview mode refuses app.listen. The app closes it in afterAll.
      const fastify = app.getHttpAdapter().getInstance() as { listen(options: { port: number; host: string }): Promise<string> };
      base = await fastify.listen({ port: 0, host: '127.0.0.1' });
    });

    // fetch keeps its connections alive; the server would wait for them on close.
    afterAll(() => (app.getHttpServer() as Server).closeAllConnections());

    it(`answers the document as JSON at ${DOCS_JSON_PATH}`, async () => {
      const response = await fetch(`${base}${DOCS_JSON_PATH}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(sut)));
    });

    it(`serves Swagger UI at ${DOCS_PATH} from its own files, nothing from another host`, async () => {
      const page = await fetch(`${base}${DOCS_PATH}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const assets = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]!);
      expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/), expect.stringMatching(/swagger-ui\.css$/)]));
      for (const asset of assets) {
        const url = new URL(asset, `${base}${DOCS_PATH}`);
        expect(url.origin).toBe(base);
        const response = await fetch(url);
        expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
        if (asset.endsWith('swagger-ui-init.js')) expect(await response.text()).toContain('"title": "chatstream api"');
      }
    });
  });
});
