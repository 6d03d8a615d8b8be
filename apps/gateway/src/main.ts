import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { startApp } from '@app/observability';
import { GatewayModule } from './gateway.module';
import { ChatIoAdapter } from './socket/chat-io.adapter';

void startApp(
  'gateway',
  () => NestFactory.create(GatewayModule, { bufferLogs: true }),
  async (app) => {
    const config = app.get<AppConfig>(APP_CONFIG);
    app.useWebSocketAdapter(new ChatIoAdapter(app));
    await app.listen(config.ports.gateway, config.bindHost);
  },
);
