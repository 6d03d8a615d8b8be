import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { HTTP_STATUS } from '@app/contracts';
import { usePublicPaths } from '../http/public-paths';
import { ADMIN_TOKEN, USER_TOKEN } from './api-route.decorator';
import { buildOpenApiDocument, DOCS_JSON_PATH, DOCS_PATH, serveOpenApi } from './openapi';
import { REST_ERRORS, type ErrorStatus } from './schemas';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
/** What needs no token: the two sign-ins and the operations routes. */
const OPEN = ['POST /api/auth/login', 'POST /admin/login', 'GET /health', 'GET /health/live', 'GET /metrics'];

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
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
  return NestFactory.create(ApiModule, { preview: true, logger: false });
}

/** "METHOD /path" of every route Express holds, as Nest registered them (`:id` written `{id}`), Swagger UI's own left out. */
function registeredRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return express.router.stack
    .flatMap(({ route }) => (route ? Object.keys(route.methods).map((m) => `${m.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`) : []))
    .filter((route) => !route.split(' ')[1]!.startsWith(DOCS_PATH))
    .sort();
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

  beforeAll(async () => {
    app = await createApi();
    usePublicPaths(app);
    sut = buildOpenApiDocument(app);
    serveOpenApi(app, sut);
    await app.init();
  });

  afterAll(() => app.close());

  it('describes exactly the routes the api registers: none missing, none that does not exist', () => {
    const documented = operations(sut).map(([route]) => route).sort();
    expect(documented).toEqual(registeredRoutes(app));
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
    let server: Server;
    let base: string;

    beforeAll(async () => {
      server = app.getHttpServer() as Server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(() => {
      server.closeAllConnections(); // fetch keeps its connections alive
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });

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
