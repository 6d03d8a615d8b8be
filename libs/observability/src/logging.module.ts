import { Module, RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@app/config';

export interface LoggingOptions {
  /**
   * Binds a child logger to each HTTP request (pino-http through an AsyncLocalStorage), so lines
   * logged while a request is handled carry it. Only for an app whose work is HTTP requests (the
   * api): the first `AsyncLocalStorage.run` switches on Node's async hooks for the whole process,
   * after which every promise, timer and stream write pays an init hook. The gateway's and the
   * persister's HTTP is only health and metrics, and their hot paths are promise-heavy.
   */
  requestContext?: boolean;
}

/**
 * Structured JSON logs (pino) with the instance id on every line, so the lines of three
 * gateway replicas can be told apart in one stream. Nest's own `Logger` class writes through it
 * once `app.useLogger(app.get(PinoLogger))` is called in main.ts.
 */
@Module({})
export class LoggingModule {
  static forRoot({ requestContext = false }: LoggingOptions = {}): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            // Nest 11 path syntax (the library's default '*' is the legacy form and warns). No
            // route: no request middleware, so no AsyncLocalStorage is ever entered.
            forRoutes: requestContext ? [{ path: '{*path}', method: RequestMethod.ALL }] : [],
            pinoHttp: {
              level: config.logLevel,
              base: { instance: config.instanceId },
              // Request lines are noise next to the chat traffic; errors are still logged by handlers.
              autoLogging: false,
              redact: ['req.headers.authorization', 'req.headers.cookie'],
              timestamp: () => `,"time":"${new Date().toISOString()}"`,
            },
          }),
        }),
      ],
    };
  }
}
