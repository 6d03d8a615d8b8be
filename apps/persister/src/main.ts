import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { startApp } from '@app/observability';
import { PersisterModule } from './persister.module';

void startApp(
  'persister',
  () => NestFactory.create(PersisterModule, { bufferLogs: true }),
  async (app) => {
    const config = app.get<AppConfig>(APP_CONFIG);
    await app.listen(config.ports.persister, config.bindHost);
  },
);
