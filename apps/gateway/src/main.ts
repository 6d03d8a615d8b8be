import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { startApp } from '@app/observability';
import { GatewayModule } from './gateway.module';

void startApp(
  'gateway',
  () => NestFactory.create(GatewayModule, { bufferLogs: true }),
  async (app) => {
    const config = app.get<AppConfig>(APP_CONFIG);
    await app.listen(config.ports.gateway, config.bindHost);
  },
);
