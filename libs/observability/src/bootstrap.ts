import { Logger as NestLogger, type INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/**
 * The start-up every app shares: structured logs, shutdown hooks (SIGTERM runs
 * onModuleDestroy then onApplicationShutdown), and a clear exit when start-up fails.
 */
export async function startApp(
  name: string,
  create: () => Promise<INestApplication>,
  listen: (app: INestApplication) => Promise<void>,
): Promise<INestApplication | undefined> {
  try {
    const app = await create();
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    await listen(app);
    return app;
  } catch (error) {
    new NestLogger(name).error(`start-up failed: ${(error as Error).message}`, (error as Error).stack);
    // Give the logger a tick to flush before leaving.
    setTimeout(() => process.exit(1), 100);
    return undefined;
  }
}
