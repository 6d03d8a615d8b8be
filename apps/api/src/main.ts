import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { startApp } from '@app/observability';
import { ApiModule } from './api.module';

void startApp(
  'api',
  () => NestFactory.create(ApiModule, { bufferLogs: true }),
  async (app) => {
    const config = app.get<AppConfig>(APP_CONFIG);
    await app.listen(config.ports.api, config.bindHost);
  },
);
