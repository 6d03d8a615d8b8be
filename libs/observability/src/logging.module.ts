import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@app/config';

/**
 * Structured JSON logs (pino) with the instance id on every line, so the lines of three
 * gateway replicas can be told apart in one stream. Nest's own `Logger` class writes through it
 * once `app.useLogger(app.get(PinoLogger))` is called in main.ts.
 */
@Module({})
export class LoggingModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            // No route: no request middleware. A child logger bound to every request (pino-http in an
            // AsyncLocalStorage) cost the api ~30 % of its history pages a second (2,045 against 1,458
            // latest pages at 50 connections, docs/benchmarks.md): it serialises each request's
            // bindings, and the first `AsyncLocalStorage.run` turns on async hooks for every promise,
            // timer and write in the process. The lines that concern a request name it themselves
            // (ChatErrorFilter).
            forRoutes: [],
            pinoHttp: {
              level: config.logLevel,
              base: { instance: config.instanceId },
              timestamp: () => `,"time":"${new Date().toISOString()}"`,
            },
          }),
        }),
      ],
    };
  }
}
