import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { startApp } from '@app/observability';
import { ApiModule } from './api.module';

void startApp(
  'api',
  () => NestFactory.create<NestExpressApplication>(ApiModule, { bufferLogs: true, bodyParser: false }),
  async (app) => {
    const config = app.get<AppConfig>(APP_CONFIG);
    // The public paths are /api/... and /admin/...; health and metrics stay at the root.
    app.setGlobalPrefix('api', { exclude: ['health', 'health/live', 'metrics', 'admin/{*path}'] });
    (app as NestExpressApplication).useBodyParser('json', { limit: '64kb' });
    await app.listen(config.ports.api, config.bindHost);
  },
);
