import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { startApp } from '@app/observability';
import { ApiModule } from './api.module';
import { usePublicPaths } from './http/public-paths';
import { buildOpenApiDocument, serveOpenApi } from './openapi/openapi';

void startApp(
  'api',
  () => NestFactory.create<NestExpressApplication>(ApiModule, { bufferLogs: true, bodyParser: false }),
  async (app) => {
    const config = app.get<AppConfig>(APP_CONFIG);
    usePublicPaths(app);
    (app as NestExpressApplication).useBodyParser('json', { limit: '64kb' });
    // Behind Nginx: req.ip is the client's address from X-Forwarded-For (the per-address rate limits
    // key on it); only that many proxies' entries are believed, so a client cannot forge its own.
    (app as NestExpressApplication).set('trust proxy', config.api.trustProxyHops);
    // Built once at start-up from the routes as registered above (the prefix included).
    serveOpenApi(app, buildOpenApiDocument(app));
    await app.listen(config.ports.api, config.bindHost);
  },
);
