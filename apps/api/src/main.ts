import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { startApp } from '@app/observability';
import { ApiModule } from './api.module';
import { createApiHttpAdapter } from './http/api-http-adapter';
import { usePublicPaths } from './http/public-paths';
import { buildOpenApiDocument, serveOpenApi } from './openapi/openapi';

let trustedHops = 0;

void startApp(
  'api',
  () => NestFactory.create<NestFastifyApplication>(ApiModule, createApiHttpAdapter(() => trustedHops), { bufferLogs: true, bodyParser: false }),
  async (app) => {
    const config = app.get<AppConfig>(APP_CONFIG);
    trustedHops = config.api.trustProxyHops;
    usePublicPaths(app);
    // Built once at start-up from the routes as registered above (the prefix included).
    serveOpenApi(app, buildOpenApiDocument(app));
    await app.listen(config.ports.api, config.bindHost);
  },
);
